package cascade.einsum;

import java.util.ArrayList;
import java.util.List;

/** Splits cascade text into tokens, each with its line and column. Newlines end statements outside brackets. */
final class Lexer {
    enum Kind { IDENT, NUMBER, STRING, SYMBOL, NEWLINE, EOF }

    record Token(Kind kind, String text, SourcePos pos) {
        boolean is(String symbol) {
            return (kind == Kind.SYMBOL || kind == Kind.IDENT) && text.equals(symbol);
        }

        String describe() {
            return switch (kind) {
                case NEWLINE -> "end of line";
                case EOF -> "end of file";
                case STRING -> "string \"" + text + "\"";
                default -> "'" + text + "'";
            };
        }
    }

    private static final String[] SYMBOLS = {"->", "<=", ">=", "==", "!=", "[", "]", "(", ")", "{", "}", ",", ":",
        "=", "+", "-", "*", "/", "%", "<", ">"};

    private Lexer() {
    }

    static List<Token> tokenize(String file, String text) {
        List<Token> out = new ArrayList<>();
        int line = 1;
        int lineStart = 0;
        int depth = 0;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            SourcePos pos = new SourcePos(file, line, i - lineStart + 1);
            if (c == '\n') {
                if (depth == 0) {
                    out.add(new Token(Kind.NEWLINE, "\n", pos));
                }
                line++;
                i++;
                lineStart = i;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                i++;
            } else if (c == '#') {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
                    i++;
                }
                out.add(new Token(Kind.IDENT, text.substring(start, i), pos));
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(text.charAt(i + 1)))) {
                int start = i;
                while (i < n && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
                    i++;
                }
                if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')
                        && i + 1 < n && (Character.isDigit(text.charAt(i + 1)) || text.charAt(i + 1) == '-')) {
                    i += 2;
                    while (i < n && Character.isDigit(text.charAt(i))) {
                        i++;
                    }
                }
                String number = text.substring(start, i);
                try {
                    Double.parseDouble(number);
                } catch (NumberFormatException e) {
                    throw new InvalidInputException(pos, "malformed number '" + number + "'");
                }
                out.add(new Token(Kind.NUMBER, number, pos));
            } else if (c == '"') {
                int start = ++i;
                while (i < n && text.charAt(i) != '"' && text.charAt(i) != '\n') {
                    i++;
                }
                if (i >= n || text.charAt(i) != '"') {
                    throw new InvalidInputException(pos, "unterminated string");
                }
                out.add(new Token(Kind.STRING, text.substring(start, i), pos));
                i++;
            } else {
                String symbol = null;
                for (String s : SYMBOLS) {
                    if (text.startsWith(s, i)) {
                        symbol = s;
                        break;
                    }
                }
                if (symbol == null) {
                    throw new InvalidInputException(pos, "unexpected character '" + c + "'");
                }
                switch (symbol) {
                    case "[", "(", "{" -> depth++;
                    case "]", ")", "}" -> depth = Math.max(0, depth - 1);
                    default -> { }
                }
                out.add(new Token(Kind.SYMBOL, symbol, pos));
                i += symbol.length();
            }
        }
        SourcePos end = new SourcePos(file, line, i - lineStart + 1);
        out.add(new Token(Kind.NEWLINE, "\n", end));
        out.add(new Token(Kind.EOF, "", end));
        return out;
    }
}
