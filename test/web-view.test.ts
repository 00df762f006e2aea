import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reconcileView, viewParams, type View } from '../web/src/view.ts';

// The web client's view (filter, search, sort) names its columns; positions are looked up in
// the column list of the moment (web/src/view.ts), so a column added or deleted before the
// one chosen never moves the view to another column.

const before = ['id', 'name', 'email', 'amount', 'city', 'score'];
const after = ['id', 'name', 'amount', 'city', 'score']; // email deleted

test('sort, search and filter follow their columns to new positions', () => {
  const view: View = { sort: { column: 'amount', ascending: false }, search: { query: 'Smith', columns: ['city'], regex: false, matchCase: true }, filter: { type: 'invalid', columns: ['score'], trim: 0, stdDev: 2 } };
  assert.deepEqual(viewParams(view, before), { filterType: 'invalid', filterColumnIndices: [5], searchQuery: 'Smith', searchColumnIndices: [4], searchIsRegex: false, searchCaseSensitive: true, sortColumnIndex: 3, sortAscending: false });
  assert.deepEqual(viewParams(view, after), { filterType: 'invalid', filterColumnIndices: [4], searchQuery: 'Smith', searchColumnIndices: [3], searchIsRegex: false, searchCaseSensitive: true, sortColumnIndex: 2, sortAscending: false });
  assert.equal(reconcileView(view, after).view, view, 'nothing to change: the same object');
});

test('a search in all columns is in all the columns there are now', () => {
  const view: View = { search: { query: 'x', columns: 'all', regex: true, matchCase: false } };
  assert.deepEqual(viewParams(view, after).searchColumnIndices, [0, 1, 2, 3, 4]);
  assert.deepEqual(viewParams(view, [...after, 'new']).searchColumnIndices, [0, 1, 2, 3, 4, 5]);
});

test('a part of the view whose column is gone is dropped and said so, the rest kept', () => {
  const view: View = { sort: { column: 'email', ascending: true }, search: { query: 'x', columns: 'all', regex: false, matchCase: false }, filter: { type: 'outliers', columns: ['amount', 'email'], trim: 0.1, stdDev: 3 } };
  assert.deepEqual(viewParams(view, after), { searchQuery: 'x', searchColumnIndices: [0, 1, 2, 3, 4], searchIsRegex: false, searchCaseSensitive: false }, 'never sent with another column');
  const r = reconcileView(view, after);
  assert.deepEqual(r.view, { search: view.search });
  assert.equal(r.dropped.length, 2);
  assert.match(r.dropped[0], /filter “Outliers”.*“email”/);
  assert.match(r.dropped[1], /sort by “email”/);
});

test('renames this tab made are followed', () => {
  const view: View = { sort: { column: 'name', ascending: true }, search: { query: 'a', columns: ['name', 'city'], regex: false, matchCase: false } };
  const renamed = ['id', 'first_name', 'email', 'amount', 'city', 'score'];
  const r = reconcileView(view, renamed, new Map([['name', 'first_name']]));
  assert.deepEqual(r.view, { sort: { column: 'first_name', ascending: true }, search: { query: 'a', columns: ['first_name', 'city'], regex: false, matchCase: false } });
  assert.deepEqual(r.dropped, []);
  // Not yet renamed on the server: the old name still holds.
  assert.equal(reconcileView(view, before, new Map([['name', 'first_name']])).view, view);
});
