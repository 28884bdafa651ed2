/* The pure part of "Try your API" (frontend/exercise/try.js), under node's test runner. */
import assert from "node:assert/strict";
import { test } from "node:test";

import { headerPairs } from "../../frontend/exercise/try.js";

test("the headers box is read as Name: value lines", () => {
  assert.deepEqual(headerPairs("Content-Type: application/json\n\nX-Token:  a:b \nno colon\n: nameless"), [
    ["Content-Type", "application/json"],
    ["X-Token", "a:b"],
  ]);
});
