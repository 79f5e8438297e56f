/**
 * A small OData $filter parser and evaluator: comparisons (eq ne gt ge lt le) joined by and/or/not,
 * with string, DateTimeOffset, boolean, number and null literals. Type rules follow Graph: a
 * DateTimeOffset property compared with a quoted string is rejected, which is a mistake real
 * clients make and Graph answers with 400.
 */
import { GraphError, errors } from "../errors";

export type ComparisonOp = "eq" | "ne" | "gt" | "ge" | "lt" | "le";

export type Literal =
  | { type: "string"; value: string }
  | { type: "datetime"; value: number; text: string }
  | { type: "boolean"; value: boolean }
  | { type: "number"; value: number }
  | { type: "null" };

export type FilterExpr =
  | { kind: "and" | "or"; left: FilterExpr; right: FilterExpr }
  | { kind: "not"; expr: FilterExpr }
  | { kind: "cmp"; op: ComparisonOp; property: string; literal: Literal };

export type PropertyType = "datetime" | "string" | "id" | "boolean" | "number";

export interface PropertyAccessor<T> {
  type: PropertyType;
  /** datetime → epoch ms; others → the raw value. */
  get(item: T): string | number | boolean | null | undefined;
}

export type PropertyResolver<T> = (path: string) => PropertyAccessor<T> | undefined;

const OPS = new Set(["eq", "ne", "gt", "ge", "lt", "le"]);
const EDM: Record<PropertyType, string> = {
  datetime: "Edm.DateTimeOffset",
  string: "Edm.String",
  id: "Edm.String",
  boolean: "Edm.Boolean",
  number: "Edm.Int32",
};
const OP_KIND: Record<ComparisonOp, string> = {
  eq: "Equal",
  ne: "NotEqual",
  gt: "GreaterThan",
  ge: "GreaterThanOrEqual",
  lt: "LessThan",
  le: "LessThanOrEqual",
};

type Token = { t: "word" | "string" | "lparen" | "rparen"; v: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === " " || c === "\t") {
      i++;
    } else if (c === "(") {
      tokens.push({ t: "lparen", v: c });
      i++;
    } else if (c === ")") {
      tokens.push({ t: "rparen", v: c });
      i++;
    } else if (c === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) throw errors.invalidFilter("unterminated string literal.");
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      tokens.push({ t: "string", v: value });
    } else {
      let j = i;
      while (j < text.length && !" \t()'".includes(text[j]!)) j++;
      tokens.push({ t: "word", v: text.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

const DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?)?$/i;

export function parseDateTimeLiteral(text: string): number | undefined {
  if (!DATETIME.test(text)) return undefined;
  const hasZone = /(Z|[+-]\d{2}:\d{2})$/i.test(text) && text.includes("T");
  const normalised = text.includes("T") ? (hasZone ? text : `${text}Z`) : `${text}T00:00:00Z`;
  const ms = Date.parse(normalised.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(ms) ? undefined : ms;
}

function literalFrom(token: Token): Literal {
  if (token.t === "string") return { type: "string", value: token.v };
  const v = token.v;
  if (v === "true" || v === "false") return { type: "boolean", value: v === "true" };
  if (v === "null") return { type: "null" };
  if (/^-?\d+(\.\d+)?$/.test(v)) return { type: "number", value: Number(v) };
  const ms = parseDateTimeLiteral(v);
  if (ms !== undefined) return { type: "datetime", value: ms, text: v };
  throw errors.invalidFilter(`unrecognised literal '${v}'.`);
}

export function parseFilter(text: string): FilterExpr {
  const tokens = tokenize(text.trim());
  let pos = 0;
  const peek = () => tokens[pos];
  const word = (w: string) => peek()?.t === "word" && peek()!.v.toLowerCase() === w;

  function parseOr(): FilterExpr {
    let left = parseAnd();
    while (word("or")) {
      pos++;
      left = { kind: "or", left, right: parseAnd() };
    }
    return left;
  }
  function parseAnd(): FilterExpr {
    let left = parseUnary();
    while (word("and")) {
      pos++;
      left = { kind: "and", left, right: parseUnary() };
    }
    return left;
  }
  function parseUnary(): FilterExpr {
    if (word("not")) {
      pos++;
      return { kind: "not", expr: parseUnary() };
    }
    const token = peek();
    if (!token) throw errors.invalidFilter("unexpected end of expression.");
    if (token.t === "lparen") {
      pos++;
      const inner = parseOr();
      if (peek()?.t !== "rparen") throw errors.invalidFilter("missing closing parenthesis.");
      pos++;
      return inner;
    }
    if (token.t !== "word") throw errors.invalidFilter(`unexpected literal '${token.v}'.`);
    if (tokens[pos + 1]?.t === "lparen") {
      throw new GraphError(400, "ErrorInvalidUrlQueryFilter", `The function '${token.v}' is not supported in this filter.`);
    }
    const property = token.v;
    pos++;
    const opToken = peek();
    if (!opToken || opToken.t !== "word" || !OPS.has(opToken.v.toLowerCase())) {
      throw errors.invalidFilter(`expected a comparison operator after '${property}'.`);
    }
    pos++;
    const valueToken = peek();
    if (!valueToken || (valueToken.t !== "word" && valueToken.t !== "string")) {
      throw errors.invalidFilter(`expected a value after '${property} ${opToken.v}'.`);
    }
    pos++;
    return { kind: "cmp", op: opToken.v.toLowerCase() as ComparisonOp, property, literal: literalFrom(valueToken) };
  }

  if (tokens.length === 0) throw errors.invalidFilter("the expression is empty.");
  const expr = parseOr();
  if (pos !== tokens.length) throw errors.invalidFilter(`unexpected '${tokens[pos]!.v}'.`);
  return expr;
}

/** Properties in the order they first appear, left to right (Graph's $orderby/$filter rule uses it). */
export function filterProperties(expr: FilterExpr): string[] {
  const out: string[] = [];
  const walk = (e: FilterExpr) => {
    if (e.kind === "cmp") {
      if (!out.includes(e.property.toLowerCase())) out.push(e.property.toLowerCase());
    } else if (e.kind === "not") walk(e.expr);
    else {
      walk(e.left);
      walk(e.right);
    }
  };
  walk(expr);
  return out;
}

/** Type-checks the expression against a resource and returns a predicate. */
export function compileFilter<T>(expr: FilterExpr, resolve: PropertyResolver<T>, typeName: string): (item: T) => boolean {
  if (expr.kind === "and" || expr.kind === "or") {
    const l = compileFilter(expr.left, resolve, typeName);
    const r = compileFilter(expr.right, resolve, typeName);
    return expr.kind === "and" ? (x) => l(x) && r(x) : (x) => l(x) || r(x);
  }
  if (expr.kind === "not") {
    const inner = compileFilter(expr.expr, resolve, typeName);
    return (x) => !inner(x);
  }
  if (expr.kind !== "cmp") throw errors.invalidFilter("unsupported expression.");
  const accessor = resolve(expr.property);
  if (!accessor) throw errors.unknownProperty(expr.property, typeName);
  const { op, literal } = expr;
  const mismatch = () =>
    errors.invalidFilter(
      `A binary operator with incompatible types was detected. Found operand types '${EDM[accessor.type]}' and '${edmOf(literal)}' for operator kind '${OP_KIND[op]}'.`,
    );
  if (literal.type === "null") {
    if (op !== "eq" && op !== "ne") throw mismatch();
    return (x) => (accessor.get(x) == null) === (op === "eq");
  }
  switch (accessor.type) {
    case "datetime": {
      if (literal.type !== "datetime") throw mismatch();
      const v = literal.value;
      return (x) => {
        const a = accessor.get(x);
        return typeof a === "number" && compare(a, v, op);
      };
    }
    case "boolean": {
      if (literal.type !== "boolean" || (op !== "eq" && op !== "ne")) throw mismatch();
      return (x) => (accessor.get(x) === literal.value) === (op === "eq");
    }
    case "number": {
      if (literal.type !== "number") throw mismatch();
      return (x) => {
        const a = accessor.get(x);
        return typeof a === "number" && compare(a, literal.value, op);
      };
    }
    case "string":
    case "id": {
      if (literal.type !== "string") throw mismatch();
      // Exchange restrictions compare text case-insensitively; ids are compared as given.
      const fold = accessor.type === "string" ? (s: string) => s.toLowerCase() : (s: string) => s;
      const v = fold(literal.value);
      return (x) => {
        const a = accessor.get(x);
        if (typeof a !== "string") return op === "ne";
        const s = fold(a);
        return compare(s, v, op);
      };
    }
  }
}

function compare<V extends string | number>(a: V, b: V, op: ComparisonOp): boolean {
  switch (op) {
    case "eq":
      return a === b;
    case "ne":
      return a !== b;
    case "gt":
      return a > b;
    case "ge":
      return a >= b;
    case "lt":
      return a < b;
    case "le":
      return a <= b;
  }
}

function edmOf(literal: Literal): string {
  switch (literal.type) {
    case "string":
      return "Edm.String";
    case "datetime":
      return "Edm.DateTimeOffset";
    case "boolean":
      return "Edm.Boolean";
    case "number":
      return "Edm.Int32";
    case "null":
      return "null";
  }
}
