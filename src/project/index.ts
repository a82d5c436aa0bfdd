/**
 * What a project brings in its `.claude/` folder: slash commands and agent templates, read from disk on
 * each call (people edit them while baton runs). No database; imports only `core`.
 */
export { discoverAgentTemplates, loadAgentTemplate } from './agent-templates.ts';
export type { AgentTemplate, AgentTemplateCatalog } from './agent-templates.ts';
export { describeProblem } from './problems.ts';
export type { ProjectFileProblem } from './problems.ts';
export { discoverSlashCommands } from './slash-commands.ts';
export type { SlashCommand, SlashCommandCatalog } from './slash-commands.ts';
export { parseToolList } from './tool-list.ts';
