package cascade.einsum;

import cascade.einsum.Lexer.Kind;
import cascade.einsum.Lexer.Token;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Recursive-descent parser for the cascade language (grammar in einsum/README.md). It checks
 * syntax only and stops at the first error; {@link Validator} checks meaning.
 */
final class Parser {
    static final Set<String> KEYWORDS = Set.of("cascade", "rank", "param", "input", "output", "tensor", "where",
        "else", "init", "and", "or", "not", "inf", "exp", "recip", "sqrt", "neg", "abs", "scale", "max", "min", "sum",
        "topk", "sigmoid", "softplus", "elu", "relu", "silu", "tanh", "log");

    /** What the parser hands to the validator: declarations and statements in file order. */
    record Parsed(String name, String description, String paper, SourcePos namePos, List<RankDecl> ranks,
                  List<Partition> partitions, List<TensorDecl> tensors, List<Einsum> einsums, Map<String, Double> reals) {
    }

    private final List<Token> tokens;
    private final String file;
    private int at;

    private String name;
    private String description = "";
    private String paper;
    private SourcePos namePos;
    private final List<RankDecl> ranks = new ArrayList<>();
    private final List<Partition> partitions = new ArrayList<>();
    private final List<TensorDecl> tensors = new ArrayList<>();
    private final List<Einsum> einsums = new ArrayList<>();

    /** Real parameters as declared ({@code param BETA = 0.4}), each value replaced by an override if given. */
    private final Map<String, Double> reals = new LinkedHashMap<>();
    private final Map<String, Double> overrides;

    private Parser(String file, String text, Map<String, Double> overrides) {
        this.file = file;
        this.tokens = Lexer.tokenize(file, text);
        this.overrides = overrides;
    }

    static Parsed parse(String file, String text) {
        return parse(file, text, Map.of());
    }

    /** As {@link #parse(String, String)}, with real parameters bound to {@code overrides} where given. */
    static Parsed parse(String file, String text, Map<String, Double> overrides) {
        return new Parser(file, text, overrides).file();
    }

    private Parsed file() {
        while (peek().kind() != Kind.EOF) {
            if (peek().kind() == Kind.NEWLINE) {
                at++;
                continue;
            }
            statement();
            endOfStatement();
        }
        if (name == null) {
            String base = file.replaceAll(".*/", "").replaceAll("\\.[^.]*$", "");
            name = base;
            namePos = new SourcePos(file, 1, 1);
        }
        return new Parsed(name, description, paper, namePos, ranks, partitions, tensors, einsums, Map.copyOf(reals));
    }

    private void statement() {
        Token t = peek();
        if (t.kind() != Kind.IDENT) {
            throw error(t, "expected a declaration or an Einsum, found " + t.describe());
        }
        switch (t.text()) {
            case "cascade" -> cascadeHeader();
            case "paper" -> paperStatement();
            case "rank" -> rankStatement();
            case "param" -> paramStatement();
            case "input", "output", "tensor" -> tensorDeclaration();
            default -> einsum();
        }
    }

    private void cascadeHeader() {
        Token kw = next();
        if (name != null) {
            throw error(kw, "the cascade is already named '" + name + "'");
        }
        StringBuilder sb = new StringBuilder();
        Token first = peek();
        Token previous = null;
        while (peek().kind() != Kind.NEWLINE && peek().kind() != Kind.STRING && peek().kind() != Kind.EOF) {
            Token part = next();
            if (previous != null && part.pos().col() != previous.pos().col() + previous.text().length()) {
                throw error(part, "a cascade name has no spaces; found " + part.describe() + " after '" + sb + "'");
            }
            sb.append(part.text());
            previous = part;
        }
        if (sb.isEmpty() || !sb.toString().matches("[A-Za-z][A-Za-z0-9_.-]*")) {
            throw error(first, "expected a cascade name such as attention-1pass after 'cascade'");
        }
        name = sb.toString();
        namePos = first.pos();
        if (peek().kind() == Kind.STRING) {
            description = next().text();
        }
    }

    /** {@code paper "Title"}: the publication the cascade follows, by its exact title. */
    private void paperStatement() {
        Token kw = next();
        if (paper != null) {
            throw error(kw, "the cascade already names its paper, \"" + paper + "\"");
        }
        if (peek().kind() != Kind.STRING) {
            throw error(peek(), "expected the paper's title in quotes after 'paper', found " + peek().describe());
        }
        Token title = next();
        if (title.text().isBlank()) {
            throw error(title, "the paper's title is empty");
        }
        paper = title.text();
    }

    private void rankStatement() {
        next();
        Token first = expectUpperIdent("a rank name");
        if (peek().is("->")) {
            next();
            List<String> parts = new ArrayList<>();
            do {
                Token part = expectUpperIdent("the name of a part of rank " + first.text());
                parts.add(part.text());
                ranks.add(new RankDecl(part.text(), optionalSize(), false, part.pos()));
            } while (accept(","));
            if (parts.size() < 2) {
                throw error(peek(), "a partition needs at least two parts, as in M -> M1, M0");
            }
            partitions.add(new Partition(first.text(), parts, first.pos()));
            return;
        }
        ranks.add(plainRank(first));
        while (accept(",")) {
            ranks.add(plainRank(expectUpperIdent("a rank name")));
        }
    }

    /** {@code R}, {@code R = 64}, or {@code D = C}: a second index over rank C. */
    private RankDecl plainRank(Token name) {
        if (peek().is("=") && peekAt(1).kind() == Kind.IDENT && isUpper(peekAt(1).text())) {
            next();
            Token of = expectUpperIdent("the rank whose size " + name.text() + " shares");
            return new RankDecl(name.text(), null, false, name.pos(), of.text());
        }
        return new RankDecl(name.text(), optionalSize(), false, name.pos());
    }

    /**
     * {@code param S = 4, W = 256} (whole numbers: sizes of windows and sets) or
     * {@code param BETA = 0.4} (a real number, written with a point or an exponent). A real
     * parameter is a constant: each use becomes its value as parsed (or as bound, through an
     * override), so it may scale or shift values but never address an element.
     */
    private void paramStatement() {
        next();
        do {
            Token p = expectUpperIdent("a parameter name");
            if (reals.containsKey(p.text()) || ranks.stream().anyMatch(r -> r.name().equals(p.text()))) {
                throw error(p, "parameter " + p.text() + " is declared twice");
            }
            if (peek().is("=") && peekAt(1).kind() == Kind.NUMBER && !peekAt(1).text().matches("\\d+")) {
                next();
                Token v = next();
                double value = Double.parseDouble(v.text());
                if (!Double.isFinite(value)) {
                    throw error(v, "parameter " + p.text() + " = " + v.text() + " is not a finite number");
                }
                reals.put(p.text(), overrides.getOrDefault(p.text(), value));
                continue;
            }
            ranks.add(new RankDecl(p.text(), optionalSize(true), true, p.pos()));
        } while (accept(","));
    }

    /** A size or parameter named in a constant: a real parameter is its value. */
    private ConstExpr symbol(Token t) {
        Double real = reals.get(t.text());
        return real != null ? new ConstExpr.Num(real, t.pos()) : new ConstExpr.Symbol(t.text(), t.pos());
    }

    private Long optionalSize() {
        return optionalSize(false);
    }

    /** {@code = N}: a rank's size is at least 1; a whole-number parameter may be 0 (no sink tokens, say), as --bind allows. */
    private Long optionalSize(boolean parameter) {
        if (!accept("=")) {
            return null;
        }
        Token t = next();
        if (t.kind() != Kind.NUMBER || !t.text().matches("\\d+")) {
            throw error(t, "expected a whole number as the size, found " + t.describe());
        }
        long v = whole(t, "size");
        if (v <= 0 && !(parameter && v == 0)) {
            throw error(t, "a size must be positive");
        }
        return v;
    }

    /** A whole-number token's value; one beyond a long is a located error naming {@code what} it was to be. */
    private long whole(Token t, String what) {
        try {
            return Long.parseLong(t.text());
        } catch (NumberFormatException e) {
            throw error(t, what + " " + t.text() + " is too large");
        }
    }

    private void tensorDeclaration() {
        Token kw = next();
        TensorDecl.Role role = switch (kw.text()) {
            case "input" -> TensorDecl.Role.INPUT;
            case "output" -> TensorDecl.Role.OUTPUT;
            default -> TensorDecl.Role.INTERMEDIATE;
        };
        Token tname = expectUpperIdent("a tensor name");
        expect("[");
        List<String> declared = new ArrayList<>();
        if (!peek().is("]")) {
            do {
                declared.add(rankOfIndex(expectLowerIdent("a rank index such as m or p")));
            } while (accept(","));
        }
        expect("]");
        expect(":");
        Token type = next();
        ElementType et = type.kind() == Kind.IDENT ? ElementType.fromKeyword(type.text()) : null;
        if (et == null) {
            throw error(type, "unknown element type " + type.describe() + "; expected one of fp32, bf16, fp16, int8, int16, int32");
        }
        tensors.add(new TensorDecl(tname.text(), declared, et, role, null, tname.pos()));
    }

    private void einsum() {
        Token out = expectUpperIdent("the name of the tensor an Einsum defines");
        expect("[");
        List<String> outRanks = new ArrayList<>();
        String recurrence = null;
        if (!peek().is("]")) {
            do {
                Token idx = expectLowerIdent("an output rank index");
                outRanks.add(rankOfIndex(idx));
                if (accept("+")) {
                    Token one = next();
                    if (!one.text().equals("1")) {
                        throw error(one, "a recurrence writes rank+1, as in RM[m1+1,p]; found " + one.describe());
                    }
                    if (recurrence != null) {
                        throw error(idx, "a recurrence runs over one rank; " + recurrence.toLowerCase(Locale.ROOT)
                            + "+1 was already written");
                    }
                    recurrence = rankOfIndex(idx);
                }
            } while (accept(","));
        }
        expect("]");
        expect("=");
        Einsum.Reduction reduction = new Einsum.NoReduction();
        Token head = peek();
        if (head.kind() == Kind.IDENT && (head.text().startsWith("sum_") || head.text().startsWith("max_")
                || head.text().startsWith("min_") || head.text().startsWith("topk_"))) {
            next();
            String opWord = head.text().substring(0, head.text().indexOf('_'));
            String rest = head.text().substring(head.text().indexOf('_') + 1);
            List<String> over = new ArrayList<>();
            if (rest.isEmpty()) {
                expect("{");
                do {
                    over.add(rankOfIndex(expectLowerIdent("a rank index to reduce over")));
                } while (accept(","));
                expect("}");
            } else {
                if (!rest.matches("[a-z][a-z0-9]*")) {
                    throw error(head, "'" + head.text() + "': write the reduced rank's index after '_', as in sum_m, or several as sum_{m1,m0}");
                }
                over.add(rest.toUpperCase(Locale.ROOT));
            }
            if (opWord.equals("topk")) {
                if (over.size() != 1) {
                    throw error(head, "topk selects over exactly one rank");
                }
                reduction = new Einsum.TopK(over.getFirst(), null);
            } else {
                reduction = new Einsum.Reduce(Einsum.ReduceOp.valueOf(opWord.toUpperCase(Locale.ROOT)), over);
            }
        }
        Expr body = expr();
        Predicate mask = null;
        ConstExpr fill = null;
        ConstExpr init = null;
        if (accept("where")) {
            mask = predicate();
            if (accept("else")) {
                fill = constExpr();
            }
        }
        if (peek().is("else")) {
            throw error(peek(), "'else' gives the value of masked-out elements and needs a 'where' before it");
        }
        if (accept("init")) {
            init = constExpr();
        }
        einsums.add(new Einsum(out.text(), outRanks, recurrence, reduction, body, mask, fill, init, out.pos()));
    }

    // expr := term {(+|-) term}; term := factor {(*|/) factor}; factor := '-' factor | primary
    private Expr expr() {
        Expr left = term();
        while (peek().is("+") || peek().is("-")) {
            Token op = next();
            Expr right = term();
            left = fold(new Expr.Binary(op.is("+") ? Expr.BinaryOp.ADD : Expr.BinaryOp.SUB, left, right, left.pos()));
        }
        return left;
    }

    private Expr term() {
        Expr left = factor();
        while (peek().is("*") || peek().is("/")) {
            Token op = next();
            Expr right = factor();
            left = fold(new Expr.Binary(op.is("*") ? Expr.BinaryOp.MUL : Expr.BinaryOp.DIV, left, right, left.pos()));
        }
        return left;
    }

    private Expr factor() {
        Token t = peek();
        if (t.is("-")) {
            next();
            return fold(new Expr.Unary(Expr.UnaryOp.NEG, factor(), null, t.pos()));
        }
        if (t.is("(")) {
            next();
            Expr e = expr();
            expect(")");
            return e;
        }
        if (t.kind() == Kind.IDENT && isUpper(t.text())) {
            if (!peekAt(1).is("[")) {
                next();
                return new Expr.Constant(symbol(t), t.pos());
            }
            return access();
        }
        if (t.kind() == Kind.NUMBER || t.is("inf")) {
            ConstExpr c = constUnary();
            return new Expr.Constant(c, t.pos());
        }
        if (t.kind() == Kind.IDENT && ElementType.fromKeyword(t.text()) != null && peekAt(1).is("(")) {
            next();
            expect("(");
            if (peek().is(")")) {
                throw error(peek(), t.text() + "(x) converts one value to " + t.text() + "; found no value");
            }
            Expr arg = expr();
            expect(")");
            return new Expr.Cast(ElementType.fromKeyword(t.text()), arg, t.pos());
        }
        if (t.kind() == Kind.IDENT) {
            next();
            switch (t.text()) {
                case "exp", "recip", "sqrt", "neg", "abs", "sigmoid", "softplus", "elu", "relu", "silu", "tanh", "log" -> {
                    expect("(");
                    Expr arg = expr();
                    expect(")");
                    return fold(new Expr.Unary(Expr.UnaryOp.valueOf(t.text().toUpperCase(Locale.ROOT)), arg, null, t.pos()));
                }
                case "scale" -> {
                    expect("(");
                    Expr arg = expr();
                    expect(",");
                    ConstExpr c = constExpr();
                    expect(")");
                    return new Expr.Unary(Expr.UnaryOp.SCALE, arg, c, t.pos());
                }
                case "max", "min" -> {
                    expect("(");
                    Expr a = expr();
                    expect(",");
                    Expr b = expr();
                    expect(")");
                    return new Expr.Binary(t.text().equals("max") ? Expr.BinaryOp.MAX : Expr.BinaryOp.MIN, a, b, t.pos());
                }
                default -> {
                    if (t.text().matches("(sum|max|min|topk)_.*")) {
                        throw error(t, "a reduction such as " + t.text() + " may only begin the right-hand side; split it into its own Einsum");
                    }
                    throw error(t, "unknown function '" + t.text() + "'; expected exp, log, recip, sqrt, neg, abs, "
                        + "sigmoid, softplus, elu, relu, silu, tanh, scale, max, min or a cast such as int8(x)");
                }
            }
        }
        throw error(t, "expected a tensor access or a function, found " + t.describe());
    }

    /**
     * Arithmetic on constants alone is a constant ({@code 1 - log(M)}), so the analyses charge no
     * datapath operation for it at every point.
     */
    private static Expr fold(Expr x) {
        return switch (x) {
            case Expr.Binary b when b.left() instanceof Expr.Constant l && b.right() instanceof Expr.Constant r
                && !b.op().isFunction() -> new Expr.Constant(new ConstExpr.Arith(b.op().symbol().charAt(0), l.value(), r.value(), b.pos()), b.pos());
            case Expr.Unary u when u.arg() instanceof Expr.Constant c && u.op() == Expr.UnaryOp.NEG ->
                new Expr.Constant(new ConstExpr.Neg(c.value(), u.pos()), u.pos());
            case Expr.Unary u when u.arg() instanceof Expr.Constant c && ConstExpr.Call.FUNCTIONS.contains(u.op().keyword()) ->
                new Expr.Constant(new ConstExpr.Call(u.op().keyword(), c.value(), u.pos()), u.pos());
            default -> x;
        };
    }

    private Expr.Access access() {
        Token name = expectUpperIdent("a tensor name");
        if (!peek().is("[")) {
            throw error(peek(), "expected '[' after tensor " + name.text() + ", found " + peek().describe());
        }
        next();
        List<Index> indices = new ArrayList<>();
        if (!peek().is("]")) {
            do {
                indices.add(index());
            } while (accept(","));
        }
        expect("]");
        return new Expr.Access(name.text(), indices, name.pos(), null);
    }

    private Index index() {
        Token t = peek();
        if (t.kind() == Kind.IDENT && isUpper(t.text()) && peekAt(1).is("[")) {
            return new Index.Gather(access(), t.pos());
        }
        if (t.kind() == Kind.IDENT && t.text().equals("clamp") && peekAt(1).is("(")) {
            next();
            next();
            Index.Affine inner = affine();
            expect(")");
            return new Index.Clamped(inner, t.pos());
        }
        Index.Affine a = accept("(") ? parenthesised() : affine();
        if (peek().is("/") || peek().is("%")) {
            Token op = next();
            Token d = next();
            ConstExpr divisor;
            if (d.kind() == Kind.NUMBER && d.text().matches("\\d+")) {
                divisor = new ConstExpr.Num(whole(d, "divisor"), d.pos());
            } else if (d.kind() == Kind.IDENT && isUpper(d.text()) && !KEYWORDS.contains(d.text())) {
                if (reals.containsKey(d.text())) {
                    throw error(d, d.text() + " is a real parameter; a subscript divides by sizes and whole-number "
                        + "parameters only");
                }
                divisor = new ConstExpr.Symbol(d.text(), d.pos());
            } else {
                throw error(d, "a subscript " + (op.is("/") ? "divides" : "takes the remainder") + " by a whole number, "
                    + "a size or a whole-number parameter, found " + d.describe());
            }
            return new Index.Quotient(a, divisor, op.is("%"), op.pos());
        }
        return a;
    }

    /** {@code (h + 1) / G}: the parenthesised numerator of a quotient. */
    private Index.Affine parenthesised() {
        Index.Affine a = affine();
        expect(")");
        if (!peek().is("/") && !peek().is("%")) {
            throw error(peek(), "a parenthesised subscript is divided or reduced: expected '/' or '%' after ')', found "
                + peek().describe());
        }
        return a;
    }

    /** affine := ['-'] aterm {(+|-) aterm}; aterm := INT ['*' name] | index | SYMBOL. */
    private Index.Affine affine() {
        SourcePos start = peek().pos();
        List<Index.Term> terms = new ArrayList<>();
        ConstExpr offset = null;
        int sign = 1;
        if (accept("-")) {
            sign = -1;
        }
        while (true) {
            Token t = next();
            long coeff = sign;
            Token named = t;
            if (t.kind() == Kind.NUMBER) {
                if (!t.text().matches("\\d+")) {
                    throw error(t, "an index offset must be a whole number, found " + t.describe());
                }
                long value = whole(t, "index offset");
                if (accept("*")) {
                    coeff = sign * value;
                    named = next();
                } else {
                    offset = addOffset(offset, new ConstExpr.Num(sign * value, t.pos()), t.pos());
                    named = null;
                }
            }
            if (named != null) {
                if (named.kind() != Kind.IDENT || KEYWORDS.contains(named.text())) {
                    throw error(named, "expected a rank index, a size or a whole number in a subscript, found " + named.describe());
                }
                if (isUpper(named.text())) {
                    if (reals.containsKey(named.text())) {
                        throw error(named, named.text() + " is a real parameter; a subscript or mask offset takes only "
                            + "sizes and whole-number parameters");
                    }
                    ConstExpr sym = new ConstExpr.Symbol(named.text(), named.pos());
                    ConstExpr scaled = coeff == 1 ? sym
                        : new ConstExpr.Arith('*', new ConstExpr.Num(coeff, named.pos()), sym, named.pos());
                    offset = addOffset(offset, scaled, named.pos());
                } else {
                    terms.add(new Index.Term(coeff, rankOfIndex(named)));
                }
            }
            if (peek().is("+")) {
                next();
                sign = 1;
            } else if (peek().is("-")) {
                next();
                sign = -1;
            } else {
                break;
            }
        }
        return new Index.Affine(List.copyOf(terms), offset, start);
    }

    private static ConstExpr addOffset(ConstExpr sum, ConstExpr term, SourcePos pos) {
        return sum == null ? term : new ConstExpr.Arith('+', sum, term, pos);
    }

    // pred := and {'or' and}; and := not {'and' not}; not := 'not' not | '(' pred ')' | TENSOR[...] | cmp
    private Predicate predicate() {
        Predicate left = conjunction();
        while (peek().is("or")) {
            Token op = next();
            left = new Predicate.Or(left, conjunction(), left.pos());
        }
        return left;
    }

    private Predicate conjunction() {
        Predicate left = negation();
        while (peek().is("and")) {
            Token op = next();
            left = new Predicate.And(left, negation(), left.pos());
        }
        return left;
    }

    private Predicate negation() {
        Token t = peek();
        if (t.is("not")) {
            next();
            return new Predicate.Not(negation(), t.pos());
        }
        if (t.is("(")) {
            next();
            Predicate p = predicate();
            expect(")");
            return p;
        }
        if (t.kind() == Kind.IDENT && isUpper(t.text()) && peekAt(1).is("[")) {
            return new Predicate.TensorMask(access(), t.pos());
        }
        Index.Affine left = affine();
        Token op = next();
        Predicate.CmpOp cmp = null;
        for (Predicate.CmpOp c : Predicate.CmpOp.values()) {
            if (op.kind() == Kind.SYMBOL && c.symbol().equals(op.text())) {
                cmp = c;
            }
        }
        if (cmp == null) {
            throw error(op, "expected a comparison (<, <=, >, >=, ==, !=) in the mask, found " + op.describe());
        }
        return new Predicate.Compare(left, cmp, affine(), left.pos());
    }

    // const := cterm {(+|-) cterm}; cterm := cunary {(*|/) cunary}; cunary := '-' cunary | number | inf | SYMBOL | sqrt(const) | (const)
    private ConstExpr constExpr() {
        ConstExpr left = constTerm();
        while (peek().is("+") || peek().is("-")) {
            Token op = next();
            left = new ConstExpr.Arith(op.text().charAt(0), left, constTerm(), op.pos());
        }
        return left;
    }

    private ConstExpr constTerm() {
        ConstExpr left = constUnary();
        while (peek().is("*") || peek().is("/")) {
            Token op = next();
            left = new ConstExpr.Arith(op.text().charAt(0), left, constUnary(), op.pos());
        }
        return left;
    }

    private ConstExpr constUnary() {
        Token t = next();
        if (t.is("-")) {
            return new ConstExpr.Neg(constUnary(), t.pos());
        }
        if (t.kind() == Kind.NUMBER) {
            return new ConstExpr.Num(Double.parseDouble(t.text()), t.pos());
        }
        if (t.is("inf")) {
            return new ConstExpr.Num(Double.POSITIVE_INFINITY, t.pos());
        }
        if (ConstExpr.Call.FUNCTIONS.contains(t.text()) && t.kind() == Kind.IDENT) {
            expect("(");
            ConstExpr arg = constExpr();
            expect(")");
            return new ConstExpr.Call(t.text(), arg, t.pos());
        }
        if (t.is("(")) {
            ConstExpr e = constExpr();
            expect(")");
            return e;
        }
        if (t.kind() == Kind.IDENT && isUpper(t.text())) {
            return symbol(t);
        }
        throw error(t, "expected a constant (a number, inf, a size or parameter, sqrt(...), log(...), exp(...)), found " + t.describe());
    }

    private void endOfStatement() {
        Token t = peek();
        if (t.kind() != Kind.NEWLINE && t.kind() != Kind.EOF) {
            throw error(t, "unexpected " + t.describe() + "; a statement ends at the end of its line");
        }
    }

    private String rankOfIndex(Token idx) {
        return idx.text().toUpperCase(Locale.ROOT);
    }

    private static boolean isUpper(String s) {
        return Character.isUpperCase(s.charAt(0));
    }

    private Token expectUpperIdent(String what) {
        Token t = next();
        if (t.kind() != Kind.IDENT || !isUpper(t.text())) {
            throw error(t, "expected " + what + " (starting with an upper-case letter), found " + t.describe());
        }
        return t;
    }

    private Token expectLowerIdent(String what) {
        Token t = next();
        if (t.kind() != Kind.IDENT || isUpper(t.text()) || KEYWORDS.contains(t.text())) {
            throw error(t, "expected " + what + " (lower case), found " + t.describe());
        }
        return t;
    }

    private void expect(String symbol) {
        Token t = next();
        if (!t.is(symbol)) {
            throw error(t, "expected '" + symbol + "', found " + t.describe());
        }
    }

    private boolean accept(String symbol) {
        if (peek().is(symbol)) {
            at++;
            return true;
        }
        return false;
    }

    private Token peek() {
        return tokens.get(at);
    }

    private Token peekAt(int ahead) {
        return tokens.get(Math.min(at + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(at);
        if (t.kind() != Kind.EOF) {
            at++;
        }
        return t;
    }

    private InvalidInputException error(Token t, String message) {
        return new InvalidInputException(t.pos(), message);
    }
}
