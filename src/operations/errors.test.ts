import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientText, CLIENT_TEXT_MAX } from './errors.ts';

test('clientText: paths of the server become <file>, quoted or bare, the useful part stays', () => {
  assert.equal(
    clientText(`IO Error: No files found that match the pattern "/srv/willow data/sessions/ab12/files/mx65vjel-3e2388.parquet"\n\nLINE 1: SELECT * FROM read_parquet('/srv/willow data/sessions/ab12/files/mx65vjel-3e2388.parquet')`),
    'IO Error: No files found that match the pattern <file>',
  );
  assert.equal(clientText("Invalid Input Error: No magic bytes found at end of file '/tmp/willow-engine-GCPYFg/sessions/339c/files/x.parquet'"), 'Invalid Input Error: No magic bytes found at end of file <file>');
  assert.equal(clientText('IO Error: Could not read from file "/data/incoming/9f3a": Input/output error'), 'IO Error: Could not read from file <file>: Input/output error');
  assert.equal(clientText("ENOENT: no such file or directory, open '/data/sessions/x/state.json'"), 'ENOENT: no such file or directory, open <file>');
  assert.equal(clientText('prlimit: failed to set the DATA resource limit: /etc/security/limits.conf: Operation not permitted'), 'prlimit: failed to set the DATA resource limit: <file>: Operation not permitted');
  assert.equal(clientText('cannot open /var/lib/willow/registry.sqlite.'), 'cannot open <file>.');
  // A file of ours without its folder.
  assert.equal(clientText("No magic bytes found at end of file 'v0.parquet'"), 'No magic bytes found at end of file <file>');
  assert.equal(clientText('Cannot open mx65vjel-3e238828626a.parquet now'), 'Cannot open <file> now');
  // In a user's SQL, a relative name is the user's own (the sandbox shows only those), a path is not.
  assert.equal(clientText('Cannot access file "nothing.parquet" nor "/srv/willow/sessions/x/files/f.parquet"', { userSql: true }), 'Cannot access file "nothing.parquet" nor <file>');
  // Slashes that are not paths stay.
  for (const kept of [
    "Conversion Error: Could not convert string 'abc' to INT32",
    'Could not parse string "03/15/2021" according to format specifier "%m/%d/%Y"',
    'Binder Error: No function matches the given name and argument types \'/(VARCHAR, INTEGER)\'',
    'Type DOUBLE/INT mismatch; 1 / 2 is fine; see https://duckdb.org/docs/stable/sql/functions',
    "Could not convert string '/' to INT32",
  ]) {
    assert.equal(clientText(kept), kept);
  }
});

test('clientText: internal column names become the user\'s names, or words', () => {
  const names = ['big one', 'b"q', 'c'];
  assert.equal(
    clientText("Conversion Error: Type UINT64 with value 18446744073709551615 can't be cast because the value is out of range for the destination type INT64 when casting from source column __c0", { names }),
    'Conversion Error: Type UINT64 with value 18446744073709551615 can\'t be cast because the value is out of range for the destination type INT64 when casting from source column "big one"',
  );
  assert.equal(clientText('Binder Error: Referenced column "__c7" not found in FROM clause!\nCandidate bindings: "__c0"', { names }), 'Binder Error: Referenced a column not found in FROM clause!');
  assert.equal(clientText('Binder Error: Referenced column "__c1" not found', { names }), 'Binder Error: Referenced column "b\\"q" not found');
  assert.equal(clientText('Candidate bindings: "__c0", "__c2"', { names }), 'Candidate bindings: "big one", "c"');
  // Without names: "a column".
  assert.equal(clientText('when casting from source column __c3'), 'when casting from source a column');
  // A name put in is not looked at again, whatever it holds.
  assert.equal(clientText('column __c0 and column __c1', { names: ['__c1 at /tmp/x/y', 'df_pos'] }), 'column "__c1 at /tmp/x/y" and column "df_pos"');
  // Fields of our files and tables; not in a user's SQL (executeCommand), where df shows the users' names.
  assert.equal(clientText('Error when converting column "c12". Could not convert string \'c12\' to \'BIGINT\''), "Error when converting a column. Could not convert string 'c12' to 'BIGINT'");
  assert.equal(clientText('Referenced column "c0" not found'), 'Referenced a column not found');
  assert.equal(clientText('Referenced column "c0" not found; column "__pos" neither; table csv_1234_5_k3j9az nor __result', { userSql: true }), 'Referenced column "c0" not found; column "__pos" neither; table csv_1234_5_k3j9az nor __result');
  assert.equal(clientText('when casting from source column __c2 of "/srv/w/v0.parquet"', { names, userSql: true }), 'when casting from source column "c" of <file>');
  // The row position, the views and tables the engine makes.
  assert.equal(clientText('Binder Error: column "__pos" must appear in the GROUP BY clause'), 'Binder Error: column the row position must appear in the GROUP BY clause');
  assert.equal(clientText('Catalog Error: Table with name df_pos does not exist!'), 'Catalog Error: Table with name the dataset does not exist!');
  assert.equal(clientText('Catalog Error: Table with name csv_1234_5_k3j9az does not exist'), 'Catalog Error: Table with name an intermediate table does not exist');
  assert.equal(clientText('Binder Error: Values list "__command_1a2b3c4d5e6f" does not have a column named "c3"'), 'Binder Error: Values list an intermediate table does not have a column named a column');
  // A value (in single quotes) is the user's data and stays.
  assert.equal(clientText("Could not convert string '__init__' to INT32"), "Could not convert string '__init__' to INT32");
  assert.equal(clientText("Could not convert string 'v_2020_01_02' to INT32"), "Could not convert string 'v_2020_01_02' to INT32");
});

test('clientText: the first line, or a CSV error\'s reason; bounded', () => {
  const csv = [
    'Invalid Input Error: CSV Error on Line: 2',
    `Original Line: 1,${'x'.repeat(5000)}`,
    'Maximum line size of 2000000 bytes exceeded. Actual Size:3000002 bytes.',
    '',
    'Possible Solution: Change the maximum length size, e.g., max_line_size=3000004',
    '',
    '  file = /tmp/willow-test-abc/incoming/9f3a',
    '  delimiter = , (Set By User)',
  ].join('\n');
  assert.equal(clientText(csv), 'Invalid Input Error: CSV Error on Line: 2: Maximum line size of 2000000 bytes exceeded. Actual Size:3000002 bytes.');
  assert.equal(clientText('Conversion Error: bad\n\nLINE 1: SELECT * FROM "/srv/x/y"'), 'Conversion Error: bad');
  const long = clientText(`Invalid Input Error: ${'word '.repeat(200)}`);
  assert.equal(long.length, CLIENT_TEXT_MAX);
  assert.ok(long.endsWith('…'));
});
