// The bench's order of contenders: each round starts with the next one, so over as many rounds
// as contenders each runs once in every position and after every other.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { rotated } from '../../bench/lib/proc.ts';

it('rotates the contenders one place per round, wrapping around', () => {
  const rounds = [0, 1, 2, 3, 4].map((i) => rotated(['z0', 'fc', 'dpvault'], i).join(' '));
  assert.deepEqual(rounds, ['z0 fc dpvault', 'fc dpvault z0', 'dpvault z0 fc', 'z0 fc dpvault', 'fc dpvault z0']);
  assert.deepEqual(rotated(['a', 'b'], -1), ['b', 'a']);
  assert.deepEqual(rotated([], 3), []);
});
