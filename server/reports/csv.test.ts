import { test } from "node:test";
import assert from "node:assert/strict";
import { csvField, csvRow, safeFileName, toCsv } from "./csv";

test("fields: quotes doubled, commas and line breaks quoted, empty for null", () => {
  assert.equal(csvField("plain"), "plain");
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField("a,b"), '"a,b"');
  assert.equal(csvField("two\nlines"), '"two\nlines"');
  assert.equal(csvField("cr\rhere"), '"cr\rhere"');
  assert.equal(csvField(" padded "), '" padded "');
  assert.equal(csvField(null), "");
  assert.equal(csvField(undefined), "");
  assert.equal(csvField(0), "0");
  assert.equal(csvField(-5), "-5");
  assert.equal(csvField(Number.NaN), "");
  assert.equal(csvField(true), "yes");
  assert.equal(csvField("Åsa Öberg"), "Åsa Öberg");
});

test("text a spreadsheet would run as a formula gets an apostrophe", () => {
  assert.equal(csvField("=1+1"), "'=1+1");
  assert.equal(csvField("+46 8 123"), "'+46 8 123");
  assert.equal(csvField("-minus"), "'-minus");
  assert.equal(csvField("@SUM(A1)"), "'@SUM(A1)");
  assert.equal(csvField('=HYPERLINK("x","y")'), `"'=HYPERLINK(""x"",""y"")"`);
  assert.equal(csvField("\tTab"), "'\tTab");
});

test("rows and documents: CRLF, BOM, header first", () => {
  assert.equal(csvRow(["a", 1, null, "b,c"]), 'a,1,,"b,c"');
  assert.equal(toCsv(["x", "y"], [["1", 2]]), "\uFEFFx,y\r\n1,2\r\n");
  assert.equal(toCsv(["only"], []), "\uFEFFonly\r\n");
});

test("file names stay inside the quoted header", () => {
  assert.equal(safeFileName('cust"omers\r\n.csv'), "cust-omers-.csv");
  assert.equal(safeFileName("../../etc/passwd"), "..-..-etc-passwd");
  assert.equal(safeFileName("///"), "export");
});
