/**
 * An expert's domain names its folder, `.claude/commands/experts/<domain>/`, and its slash commands
 * (`/experts:<domain>:question`): a lowercase word, so it is a safe folder name on every system and a
 * valid part of a Claude Code command name. Here, in core, so the wire schemas share it.
 */
export const expertDomainPattern = /^[a-z][a-z0-9_-]{0,39}$/;
