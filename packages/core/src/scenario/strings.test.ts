import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { bytesToText, quoteText, sameBytes, textToBytes } from "./strings.js";

const b = (...x: number[]) => Uint8Array.from(x);

describe("bytes as scenarios see them", () => {
  it("keeps NULs: untouched memory reads as zeros, not as an empty string", () => {
    expect(bytesToText(new Uint8Array(4))).toBe("\0\0\0\0");
    expect(bytesToText(b(0x68, 0x69, 0, 0))).toBe("hi\0\0");
    expect(bytesToText(b(0, 0x61))).toBe("\0a");
  });

  it("decodes UTF-8 as written and keeps a leading byte-order mark", () => {
    expect(bytesToText(textToBytes("héllo ✓ 𝄞"))).toBe("héllo ✓ 𝄞");
    expect(bytesToText(b(0xef, 0xbb, 0xbf, 0x61))).toBe("\uFEFFa");
  });

  it("shows each byte outside well-formed UTF-8 as U+DC00 + byte, and writes it back as that byte", () => {
    const cut = textToBytes("é").subarray(0, 1); // C3: half a character
    expect(bytesToText(cut)).toBe("\uDCC3");
    expect(bytesToText(b(0x61, 0xc3, 0, 0xff, 0xed, 0xa0, 0x80))).toBe("a\uDCC3\0\uDCFF\uDCED\uDCA0\uDC80");
    for (const raw of [cut, b(0x80, 0xc3, 0xa9, 0xf0, 0x9f), b(0xc0, 0xaf), b(0xf4, 0x90, 0x80, 0x80), b(0xe0, 0x80, 0x80)]) {
      expect(sameBytes(textToBytes(bytesToText(raw)), raw)).toBe(true);
    }
    expect(textToBytes("x\uDCC3y")).toEqual(b(0x78, 0xc3, 0x79));
  });

  it("quotes for a person as a YAML double-quoted string", () => {
    expect(quoteText("\0\0ab")).toBe(String.raw`"\0\0ab"`);
    expect(quoteText('a"b\\c\t\n\r\x01\x7f\x85é')).toBe(String.raw`"a\"b\\c\t\n\r\x01\x7f\x85é"`);
    expect(quoteText("\uDCC3 𝄞")).toBe(String.raw`"\uDCC3 𝄞"`);
  });

  it("quotes so that YAML reads the same string back (a report can be pasted into a scenario)", () => {
    for (const s of ["\0\0ab", "a\"b\\c\t\n\r\x01\x7f\x85é", "x\uDCC3\uDC80", "𝄞\uFEFF", ""]) {
      expect(parse(`v: ${quoteText(s)}`).v).toBe(s);
    }
  });
});
