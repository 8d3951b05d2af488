// Client secrets are typed after `-p` on command lines, so none may look like an option.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newClientSecret } from '../../src/identity/secret-hash.ts';

test('a new client secret never starts with a dash, and is 40 base64url characters', () => {
  // One in 64 plain base64url strings starts with '-': 2,000 draws miss that with odds of about 1e-14.
  for (let i = 0; i < 2000; i++) {
    const s = newClientSecret();
    assert.match(s, /^[A-Za-z0-9_][A-Za-z0-9_-]{39}$/);
  }
});
