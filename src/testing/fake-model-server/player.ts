import { matchesRequest } from './match.ts';
import type { MessagesRequest } from './request.ts';
import type { Turn } from './script.ts';

/** A turn picked for a request, with its position in the script. */
export interface PickedTurn {
  turn: Turn;
  index: number;
}

/** Plays a script: hands out turns in order and counts their uses. */
export interface TurnPlayer {
  /** The first turn with uses left whose `match` holds, consuming one use; undefined when none fits. */
  next(request: MessagesRequest): PickedTurn | undefined;
  /** Turns with uses left, excluding `times: 'always'`, with how many uses each has left. */
  remaining(): { turn: Turn; index: number; usesLeft: number }[];
}

export function createTurnPlayer(turns: readonly Turn[]): TurnPlayer {
  const usesLeft = turns.map((turn) => (turn.times === 'always' ? Infinity : (turn.times ?? 1)));
  return {
    next(request) {
      const index = turns.findIndex((turn, i) => usesLeft[i]! > 0 && matchesRequest(turn.match, request));
      if (index === -1) return undefined;
      usesLeft[index]! -= 1;
      return { turn: turns[index]!, index };
    },
    remaining() {
      return turns.flatMap((turn, index) => {
        const left = usesLeft[index]!;
        return left > 0 && left !== Infinity ? [{ turn, index, usesLeft: left }] : [];
      });
    },
  };
}
