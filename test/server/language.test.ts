import { describe, expect, it } from 'vitest';
import { languageOf } from '../../src/server/language.js';

/** `Accept-Language` → the language of a request's messages: Vietnamese unless English ranks first. */
describe('languageOf', () => {
  it.each([
    [null, 'vi'],
    ['', 'vi'],
    ['vi', 'vi'],
    ['vi-VN', 'vi'],
    ['en', 'en'],
    ['EN', 'en'],
    ['en-US', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['en-GB;q=0.8, vi;q=0.9', 'vi'],
    ['vi;q=0.4, en;q=0.6', 'en'],
    // None of ours: the default.
    ['fr', 'vi'],
    ['fr-FR, de;q=0.9', 'vi'],
    // One of ours among others: that one.
    ['fr, en;q=0.5', 'en'],
    // Any: the default; any but English: Vietnamese; nothing acceptable: the default.
    ['*', 'vi'],
    ['en;q=0, *', 'vi'],
    ['vi;q=0, en;q=0', 'vi'],
    ['vi;q=0, *', 'en'],
    // Not a header a browser sends: the default.
    ['en;q=abc', 'vi'],
    ['x y z', 'vi'],
    [',,;q=', 'vi'],
  ])('reads %j as %s', (header, language) => {
    const headers = new Headers();
    if (header !== null) headers.set('accept-language', header);
    expect(languageOf(headers)).toBe(language);
  });
});
