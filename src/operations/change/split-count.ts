import { literal } from '../../engine/sql.ts';

// How many pieces regexp_split_to_array makes of each value, without building the lists:
// one 60 MB value split on '.' made a list of 60 million pieces (9.6 s of CPU, 1.5 GB) only
// to be counted and refused as too many columns.
//
// DuckDB's split (string_split.cpp) runs a loop over the rest of the value, matching the
// regex against that rest as a string of its own (so ^, \A, \b and \B see a beginning of
// text at every piece's start), and on an empty match at the very start of the rest it
// cuts one character instead (and stops if that character is the last). regexp_replace
// with 'g' (RE2's GlobalReplace) finds the same matches only when the regex looks at
// nothing before where it stands and cannot match the empty string: then a value splits
// into one piece more than it has matches, and the matches are counted from lengths by
// replacing each with itself and one byte more. Anything else is bounded or split for real.

/** What splitColumn needs to know about a regex, read from its RE2 syntax. */
export interface RegexShape {
  /**
   * The regex may look before the position it is tried at (^, \A, \b, \B), or uses what
   * this reading does not follow (\C, \Q inside a class): its matches depend on where the
   * split's loop restarts, and only the split itself counts them.
   */
  looksBehind: boolean;
  /** Most characters one match spans (Infinity when unbounded, or not worth bounding). */
  maxChars: number;
}

const REPEAT = /^\{(\d+)(,(\d*))?\}/;

/**
 * The shape of a regex that RE2 accepts (call it after checking the pattern). It errs on
 * the safe side: a regex it cannot follow is said to look behind, and to have no bound.
 * Its bound on a match's length is crude but never too small: every character-matching
 * item counted once (all alternatives summed), times every counted repetition's bound.
 */
export function regexShape(pattern: string): RegexShape {
  const chars = Array.from(pattern);
  let looksBehind = false;
  let unbounded = false;
  let items = 0;
  let factor = 1;
  let i = 0;
  while (i < chars.length) {
    const c = chars[i];
    if (c === '\\') {
      const e = chars[i + 1] ?? '';
      i += 2;
      if (e === 'Q') {
        // Literal text up to \E (or the end).
        while (i < chars.length && !(chars[i] === '\\' && chars[i + 1] === 'E')) {
          items++;
          i++;
        }
        i += 2;
      } else if (e === 'A' || e === 'b' || e === 'B') {
        looksBehind = true;
      } else if (e === 'z') {
        // zero width, looks ahead only
      } else if (e === 'C') {
        looksBehind = true;
        unbounded = true;
      } else {
        if ((e === 'p' || e === 'P' || e === 'x') && chars[i] === '{') {
          while (i < chars.length && chars[i] !== '}') i++;
          i++;
        } else if (e === 'p' || e === 'P') {
          i++;
        } else if (e === 'x') {
          i += 2;
        } else if (e >= '0' && e <= '7') {
          for (let k = 0; k < 2 && chars[i] >= '0' && chars[i] <= '7'; k++) i++;
        }
        items++;
      }
    } else if (c === '[') {
      i++;
      if (chars[i] === '^') i++;
      if (chars[i] === ']') i++;
      while (i < chars.length && chars[i] !== ']') {
        if (chars[i] === '\\') {
          if (chars[i + 1] === 'Q') looksBehind = unbounded = true;
          i += 2;
        } else if (chars[i] === '[' && chars[i + 1] === ':') {
          const end = chars.indexOf(']', i + 2);
          i = end < 0 ? chars.length : end + 1;
        } else {
          i++;
        }
      }
      i++;
      items++;
    } else if (c === '(') {
      i++;
      if (chars[i] === '?') {
        // (?:, (?P<name>, (?<name>, (?flags) and (?flags: change no length
        if (chars[i + 1] === 'P' || chars[i + 1] === '<') {
          while (i < chars.length && chars[i] !== '>') i++;
          i++;
        } else {
          while (i < chars.length && chars[i] !== ':' && chars[i] !== ')') i++;
          i++;
        }
      }
    } else if (c === ')' || c === '|' || c === '$') {
      i++;
    } else if (c === '^') {
      looksBehind = true;
      i++;
    } else if (c === '*' || c === '+') {
      unbounded = true;
      i++;
    } else if (c === '?') {
      i++;
    } else if (c === '{') {
      const m = REPEAT.exec(chars.slice(i, i + 16).join(''));
      if (m) {
        if (m[2] !== undefined && m[3] === '') unbounded = true;
        else factor *= Math.max(1, Number(m[3] ?? m[1]));
        i += m[0].length;
      } else {
        items++; // a brace that starts no repetition is a literal
        i++;
      }
    } else {
      items++;
      i++;
    }
  }
  const bound = items * factor;
  return { looksBehind, maxChars: unbounded || bound > 1_000_000 ? Infinity : bound };
}

/**
 * A query over `from` (rows with a text column `t`, never NULL) whose one row is
 * (most, least) over the values' `n` (see piecesPerValue): `least < 0` means some value
 * makes at least `-least` pieces, past `room`; otherwise `most` is the largest count (NULL
 * without rows).
 */
export function piecesQuery(from: string, pattern: string, shape: RegexShape, matchesEmpty: boolean, room: number): string {
  return `SELECT max(n) AS most, min(n) AS least FROM (${piecesPerValue(from, pattern, shape, matchesEmpty, room)})`;
}

/**
 * `t` and `n` for each row of `from`: the number of pieces regexp_split_to_array makes of
 * `t` when known exactly, or, when the count is known only to pass `room` (a lower bound
 * past it, found without counting every piece), minus that bound.
 *
 * `matchesEmpty`: whether the regex matches the empty string (regexp_matches('', regex)).
 * Values of fewer bytes than `room` (and than `short`: 0 in tests, to take the counting
 * paths on every value) are split for real, as before: they make at most `room` pieces, and
 * the split costs less than regexp_replace, which copies the value (a 60 MB value with 3
 * pieces: 5 ms to split, 170 ms through regexp_replace) and pays more for each match (the
 * bench's 10M short values on '\s+': 3.1 s of CPU split, 4.1 s replaced).
 */
export function piecesPerValue(from: string, pattern: string, shape: RegexShape, matchesEmpty: boolean, room: number, short = Infinity): string {
  const re = literal(pattern);
  room = Math.max(0, room);
  const split = (x: string) => `len(regexp_split_to_array(${x}, ${re}))`;
  // Matches as GlobalReplace finds them: each replaced by itself and one byte more.
  const matches = (x: string) => `(strlen(regexp_replace(${x}, ${re}, '\\0.', 'g')) - strlen(${x}))`;
  // Values that may split into more pieces than room (pieces are at most one more than
  // bytes) are first bounded from their first `window` characters, when a match spans at
  // most maxChars. Within that prefix the split finds the same matches as in the whole
  // value except near its end: a match there is decided by at most maxChars characters and
  // one after them, so only the pieces that start in the prefix's last maxChars + 1
  // characters may differ, and each piece takes at least one character. The prefix is a
  // multiple of room so that a value refused over its first pieces is refused at once,
  // without a regexp pass over 60 MB.
  const k = shape.maxChars;
  const window = 16 * (room + k + 2);
  const prefix = `substring(t, 1, ${window})`;
  let prefixBound: string | null = null;
  let whole: string;
  const direct = Math.min(room, short);
  if (shape.looksBehind) {
    if (Number.isFinite(k)) prefixBound = `${split(prefix)} - ${k + 2}`;
    // Not bounded further: only the split knows where its loop restarts.
    whole = split('t');
  } else if (!matchesEmpty) {
    // Without empty matches the split's loop and GlobalReplace's meet the same matches.
    if (Number.isFinite(k)) prefixBound = `${matches(prefix)} + 1 - ${k + 2}`;
    whole = `c + 1`;
  } else {
    // With empty matches the two loops still walk the same path, one match or one
    // character at a time, but count differently: GlobalReplace counts an empty match
    // unless it ends where the last match ended, and the split counts every step but a
    // last one-character step, so the split makes between c - 1 and 2c + 1 pieces.
    if (Number.isFinite(k)) prefixBound = `${matches(prefix)} - ${k + 3}`;
    whole = `CASE WHEN c - 1 > ${room} THEN -(c - 1) ELSE ${split('t')} END`;
  }
  const counted = !shape.looksBehind;
  return `SELECT t, CASE WHEN d IS NOT NULL THEN d WHEN b > ${room} THEN -b ELSE ${whole} END AS n
    FROM (
      SELECT t, d, b, ${counted ? `CASE WHEN d IS NULL AND (b IS NULL OR b <= ${room}) THEN ${matches('t')} END` : 'NULL'} AS c
      FROM (
        SELECT t, CASE WHEN strlen(t) < ${direct} THEN ${split('t')} END AS d,
          ${prefixBound ? `CASE WHEN strlen(t) >= ${direct} AND strlen(t) > ${window} THEN ${prefixBound} END` : 'NULL'} AS b
        FROM ${from}
      )
    )`;
}
