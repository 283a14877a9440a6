"""A small, safe expression language for rule conditions: tokenizer and recursive-descent parser.

No ``eval``, no attribute access, no imports: the grammar only knows literals, whitelisted field
names, a few operators, four plain functions and the windowed aggregates. Anything else is a
:class:`RuleSyntaxError` carrying the character offset, which the rule loader turns into a line.

    expr    := or
    or      := and ('or' and)*
    and     := not ('and' not)*
    not     := 'not' not | cmp
    cmp     := add [(== | != | < | <= | > | >=) add | 'in' add | 'not' 'in' add]
    add     := mul (('+' | '-') mul)*
    mul     := unary (('*' | '/') unary)*
    unary   := '-' unary | primary
    primary := NUMBER | STRING | true | false | null | '[' [expr (',' expr)*] ']' | '(' expr ')'
             | AGG '(' KIND['.' NAME] 'within' DURATION ['per' NAME] ['where' expr] ')'
             | FUNC '(' expr (',' expr)* ')'
             | NAME ['.' NAME]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sanctrace.monitoring.rules.ast import (
    Aggregate,
    Binary,
    Call,
    Field,
    ListLit,
    Literal,
    Node,
    Unary,
)

AGGREGATES = frozenset({"count", "sum", "distinct", "min", "max"})
FUNCTIONS = frozenset({"coalesce", "abs", "lower", "upper"})
KEYWORDS = frozenset({"and", "or", "not", "in", "within", "per", "where", "true", "false", "null"})
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
MAX_SOURCE = 4000
MAX_DEPTH = 60


class RuleSyntaxError(Exception):
    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # num, dur, str, name, op, kw, end
    text: str
    pos: int
    value: int | float | str | None = None


_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<dur>\d+[smhdw])(?![A-Za-z0-9_])
      | (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>==|!=|<=|>=|[<>+\-*/()\[\],.])
    """,
    re.VERBOSE,
)


def tokenize(source: str) -> list[Token]:
    if len(source) > MAX_SOURCE:
        raise RuleSyntaxError(f"expression longer than {MAX_SOURCE} characters", 0)
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if m is None:
            raise RuleSyntaxError(f"unexpected character {source[pos]!r}", pos)
        kind = m.lastgroup or ""
        text = m.group()
        if kind == "dur":
            tokens.append(Token("dur", text, pos, int(text[:-1]) * UNITS[text[-1]]))
        elif kind == "num":
            tokens.append(Token("num", text, pos, float(text) if any(c in text for c in ".eE") else int(text)))
        elif kind == "str":
            body = text[1:-1]
            tokens.append(Token("str", text, pos, re.sub(r"\\(.)", r"\1", body)))
        elif kind == "name":
            tokens.append(Token("kw" if text in KEYWORDS else "name", text, pos))
        elif kind == "op":
            tokens.append(Token("op", text, pos))
        pos = m.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


class Parser:
    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.i = 0
        self.depth = 0

    # -- helpers ---------------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def _advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def _is(self, kind: str, text: str | None = None) -> bool:
        tok = self.tok
        return tok.kind == kind and (text is None or tok.text == text)

    def _expect(self, kind: str, text: str | None = None, what: str = "") -> Token:
        if not self._is(kind, text):
            want = what or (repr(text) if text else kind)
            got = repr(self.tok.text) if self.tok.kind != "end" else "end of expression"
            raise RuleSyntaxError(f"expected {want}, got {got}", self.tok.pos)
        return self._advance()

    # -- grammar ---------------------------------------------------------------------------------
    def parse(self) -> Node:
        node = self.expr()
        if not self._is("end"):
            raise RuleSyntaxError(f"unexpected {self.tok.text!r}", self.tok.pos)
        return node

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise RuleSyntaxError("expression nested too deeply", self.tok.pos)
        try:
            return self._or()
        finally:
            self.depth -= 1

    def _or(self) -> Node:
        node = self._and()
        while self._is("kw", "or"):
            pos = self._advance().pos
            node = Binary(pos, "or", node, self._and())
        return node

    def _and(self) -> Node:
        node = self._not()
        while self._is("kw", "and"):
            pos = self._advance().pos
            node = Binary(pos, "and", node, self._not())
        return node

    def _not(self) -> Node:
        if self._is("kw", "not"):
            pos = self._advance().pos
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise RuleSyntaxError("expression nested too deeply", pos)
            try:
                return Unary(pos, "not", self._not())
            finally:
                self.depth -= 1
        return self._cmp()

    def _cmp(self) -> Node:
        node = self._add()
        tok = self.tok
        if tok.kind == "op" and tok.text in ("==", "!=", "<", "<=", ">", ">="):
            self._advance()
            return Binary(tok.pos, tok.text, node, self._add())
        if self._is("kw", "in"):
            self._advance()
            return Binary(tok.pos, "in", node, self._add())
        if self._is("kw", "not") and self.tokens[self.i + 1].kind == "kw" and self.tokens[self.i + 1].text == "in":
            self.i += 2
            return Binary(tok.pos, "notin", node, self._add())
        return node

    def _add(self) -> Node:
        node = self._mul()
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            tok = self._advance()
            node = Binary(tok.pos, tok.text, node, self._mul())
        return node

    def _mul(self) -> Node:
        node = self._unary()
        while self.tok.kind == "op" and self.tok.text in ("*", "/"):
            tok = self._advance()
            node = Binary(tok.pos, tok.text, node, self._unary())
        return node

    def _unary(self) -> Node:
        if self._is("op", "-"):
            pos = self._advance().pos
            return Unary(pos, "-", self._unary())
        return self._primary()

    def _primary(self) -> Node:
        tok = self.tok
        if tok.kind in ("num", "str"):
            self._advance()
            return Literal(tok.pos, tok.value)
        if tok.kind == "dur":
            raise RuleSyntaxError(f"a duration ({tok.text}) is only allowed after 'within'", tok.pos)
        if tok.kind == "kw" and tok.text in ("true", "false", "null"):
            self._advance()
            return Literal(tok.pos, {"true": True, "false": False, "null": None}[tok.text])
        if self._is("op", "("):
            self._advance()
            node = self.expr()
            self._expect("op", ")")
            return node
        if self._is("op", "["):
            self._advance()
            items: list[Node] = []
            if not self._is("op", "]"):
                items.append(self.expr())
                while self._is("op", ","):
                    self._advance()
                    items.append(self.expr())
            self._expect("op", "]")
            return ListLit(tok.pos, tuple(items))
        if tok.kind == "name":
            self._advance()
            if self._is("op", "("):
                if tok.text in AGGREGATES:
                    return self._aggregate(tok)
                if tok.text in FUNCTIONS:
                    return self._call(tok)
                raise RuleSyntaxError(f"unknown function {tok.text!r}", tok.pos)
            if self._is("op", "."):
                self._advance()
                name = self._expect("name", what="a field name after '.'")
                return Field(tok.pos, tok.text, name.text)
            return Field(tok.pos, None, tok.text)
        got = repr(tok.text) if tok.kind != "end" else "end of expression"
        raise RuleSyntaxError(f"expected a value, got {got}", tok.pos)

    def _call(self, name: Token) -> Node:
        self._expect("op", "(")
        args = [self.expr()]
        while self._is("op", ","):
            self._advance()
            args.append(self.expr())
        self._expect("op", ")")
        if name.text in ("abs", "lower", "upper") and len(args) != 1:
            raise RuleSyntaxError(f"{name.text}() takes one argument", name.pos)
        return Call(name.pos, name.text, tuple(args))

    def _aggregate(self, name: Token) -> Node:
        self._expect("op", "(")
        kind = self._expect("name", what="an event kind (deposit, withdrawal, ..., event)")
        field: str | None = None
        if self._is("op", "."):
            self._advance()
            field = self._expect("name", what="a field name").text
        if name.text != "count" and field is None:
            raise RuleSyntaxError(f"{name.text}() needs a field: {name.text}({kind.text}.FIELD within ...)",
                                  kind.pos)
        self._expect("kw", "within")
        dur = self._expect("dur", what="a duration such as 1h, 24h or 30d")
        per = "account_id"
        if self._is("kw", "per"):
            self._advance()
            per = self._expect("name", what="a field name after 'per'").text
        where: Node | None = None
        if self._is("kw", "where"):
            self._advance()
            where = self.expr()
        self._expect("op", ")")
        assert isinstance(dur.value, int)
        return Aggregate(name.pos, name.text, kind.text, field, dur.value, dur.text, per, where)


def parse(source: str) -> Node:
    """Parse one expression; raises :class:`RuleSyntaxError` with the offending offset."""
    return Parser(source).parse()


def walk(node: Node) -> list[Node]:
    """Every node of the tree, parents first."""
    out = [node]
    if isinstance(node, Unary):
        out += walk(node.operand)
    elif isinstance(node, Binary):
        out += walk(node.left) + walk(node.right)
    elif isinstance(node, (Call, ListLit)):
        for child in node.args if isinstance(node, Call) else node.items:
            out += walk(child)
    elif isinstance(node, Aggregate) and node.where is not None:
        out += walk(node.where)
    return out
