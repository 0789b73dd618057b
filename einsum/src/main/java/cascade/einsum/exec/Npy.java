package cascade.einsum.exec;

import cascade.einsum.ElementType;
import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} files (format versions 1 to 3): how users hand the executor their own
 * tensors and take its outputs back. Arrays of real numbers in either order are taken (a
 * Fortran-ordered file, which {@code np.save(a.T)} writes, is reordered, not refused); anything
 * else is refused with the file and the header column of the offending key, since a silently
 * misread or truncated tensor is the worst outcome for a golden model.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-zA-Z])(\\d+)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** An array as read: its shape, its element kind and size, and its values widened to float. */
    public record Array(long[] shape, char kind, int itemBytes, float[] data) {
        public boolean isFloating() {
            return kind == 'f';
        }

        /** NumPy's name of the element type, for messages: {@code float32}, {@code int8}, … */
        public String dtype() {
            return (kind == 'f' ? "float" : kind == 'u' ? "uint" : "int") + itemBytes * 8;
        }

        public String shapeText() {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < shape.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(shape[i]);
            }
            return sb.append(shape.length == 1 ? ",)" : ")").toString();
        }
    }

    public static Array read(Path file) throws IOException {
        return parse(file.toString(), Files.readAllBytes(file));
    }

    /** The array {@code bytes} hold, as {@link #read} reads it; errors are at {@code where}. */
    public static Array parse(String where, byte[] bytes) {
        if (bytes.length < 10 || !java.util.Arrays.equals(bytes, 0, 6, MAGIC, 0, 6)) {
            throw new InvalidInputException(new SourcePos(where, 1, 1), "not a NumPy .npy file (no \\x93NUMPY magic)");
        }
        int major = bytes[6];
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(in.getShort(8));
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw new InvalidInputException(new SourcePos(where, 1, 9), "truncated .npy header");
            }
            headerLength = in.getInt(8);
            headerStart = 12;
        } else {
            throw new InvalidInputException(new SourcePos(where, 1, 7), ".npy format version " + major + " is not one of 1, 2, 3");
        }
        if (headerLength < 0 || (long) headerStart + headerLength > bytes.length) {
            throw new InvalidInputException(new SourcePos(where, 1, 9), "truncated .npy header");
        }
        String header = new String(bytes, headerStart, headerLength, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(header);
        if (!descr.find()) {
            throw error(where, headerStart, header, header.indexOf("'descr'"), "expected 'descr' naming a plain numeric type such as '<f4'");
        }
        char order = descr.group(1).charAt(0);
        char kind = descr.group(2).charAt(0);
        int itemBytes = descr.group(3).length() > 2 ? -1 : Integer.parseInt(descr.group(3)); // -1: no such width
        boolean known = switch (kind) {
            case 'f' -> itemBytes == 2 || itemBytes == 4 || itemBytes == 8;
            case 'i', 'u' -> itemBytes == 1 || itemBytes == 2 || itemBytes == 4 || itemBytes == 8;
            default -> false;
        };
        if (!known) {
            throw error(where, headerStart, header, descr.start(1), "element type '" + descr.group(1) + kind + itemBytes
                + "' is not a real number type (float16/32/64, int or uint of 8 to 64 bits)");
        }
        Matcher fortran = ORDER.matcher(header);
        if (!fortran.find()) {
            throw error(where, headerStart, header, 0, "expected 'fortran_order' as True or False");
        }
        Matcher shapeMatch = SHAPE.matcher(header);
        if (!shapeMatch.find()) {
            throw error(where, headerStart, header, header.indexOf("'shape'"), "expected 'shape' as a tuple of whole numbers");
        }
        List<Long> dims = new ArrayList<>();
        for (String d : shapeMatch.group(1).split(",")) {
            if (!d.isBlank()) {
                try {
                    dims.add(Long.parseLong(d.strip()));
                } catch (NumberFormatException e) {
                    throw error(where, headerStart, header, shapeMatch.start(1), "shape entry '" + d.strip() + "' is not a whole number");
                }
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long d : shape) {
            if (d < 0 || d > 0 && count > Long.MAX_VALUE / d) {
                throw error(where, headerStart, header, shapeMatch.start(1), "shape " + shapeMatch.group(0)
                    + (d < 0 ? " has a negative entry" : " has more elements than a file can hold"));
            }
            count *= d;
        }
        int dataStart = headerStart + headerLength;
        if (count > Integer.MAX_VALUE || (long) bytes.length - dataStart != count * itemBytes) {
            throw new InvalidInputException(new SourcePos(where, 1, 1), "the header's shape " + shapeMatch.group(0)
                + " needs " + count * itemBytes + " bytes of data; the file has " + (bytes.length - dataStart));
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, bytes.length - dataStart)
            .order(order == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[(int) count];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (kind) {
                case 'f' -> switch (itemBytes) {
                    case 2 -> Float.float16ToFloat(data.getShort());
                    case 4 -> data.getFloat();
                    default -> (float) data.getDouble();
                };
                case 'u' -> switch (itemBytes) {
                    case 1 -> Byte.toUnsignedInt(data.get());
                    case 2 -> Short.toUnsignedInt(data.getShort());
                    case 4 -> Integer.toUnsignedLong(data.getInt());
                    default -> data.getLong();
                };
                default -> switch (itemBytes) {
                    case 1 -> data.get();
                    case 2 -> data.getShort();
                    case 4 -> data.getInt();
                    default -> data.getLong();
                };
            };
        }
        return new Array(shape, kind, itemBytes, fortran.group(1).equals("True") ? toRowMajor(values, shape) : values);
    }

    /** NumPy saves a transposed view (a.T) column-major; the executor's layout is row-major. */
    private static float[] toRowMajor(float[] columnMajor, long[] shape) {
        float[] rowMajor = new float[columnMajor.length];
        int n = shape.length;
        long[] index = new long[n];
        for (int i = 0; i < columnMajor.length; i++) {
            long row = 0;
            for (int d = 0; d < n; d++) {
                row = row * shape[d] + index[d];
            }
            rowMajor[(int) row] = columnMajor[i];
            for (int d = 0; d < n && ++index[d] == shape[d]; d++) {
                index[d] = 0;
            }
        }
        return rowMajor;
    }

    private static InvalidInputException error(String file, int headerStart, String header, int at, String message) {
        return new InvalidInputException(new SourcePos(file, 1, headerStart + Math.max(at, 0) + 1), message);
    }

    /**
     * Writes {@code values} shaped {@code shape} in the NumPy type nearest {@code type} (bf16,
     * which NumPy lacks, as float32 holding the bf16 values), through a temporary file so a reader
     * never sees half an array.
     */
    public static void write(Path file, long[] shape, ElementType type, float[] values) throws IOException {
        String descr = switch (type) {
            case FP32, BF16 -> "<f4";
            case FP16 -> "<f2";
            case INT8 -> "|i1";
            case INT16 -> "<i2";
            case INT32 -> "<i4";
        };
        int item = type == ElementType.BF16 ? 4 : type.bytes(); // bf16 goes out as float32
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        String shapeText = shape.length == 1 ? shape[0] + "," : shape.length == 0 ? "" : dims.substring(0, dims.length() - 2);
        StringBuilder header = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shapeText + "), }");
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        byte[] head = header.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(10 + head.length + values.length * item).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) head.length).put(head);
        for (float v : values) {
            switch (type) {
                case FP32, BF16 -> out.putFloat(v);
                case FP16 -> out.putShort(Float.floatToFloat16(v));
                case INT8 -> out.put((byte) Math.round(v));
                case INT16 -> out.putShort((short) Math.round(v));
                case INT32 -> out.putInt(Math.round(v));
            }
        }
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".part");
        try {
            Files.write(tmp, out.array());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
