// test/client/KpiJdbcTest.java — pg_kpi through the PostgreSQL JDBC driver
// (pgjdbc, Debian libpostgresql-jdbc-java), the way BI tools (Metabase,
// Tableau, DBeaver, ...) query it: PreparedStatement with bound parameters
// (setDouble / setLong / setString / createArrayOf), server-side prepared and
// with binary result transfer forced (prepareThreshold=-1, binaryTransfer=true).
// The cases are test/client/cases.json (shared with the node-postgres client).
// Every value must arrive as a plain Java number / array / string and equal
// what psql prints for the same PREPARE / EXECUTE; float8 and bigint columns
// must actually arrive in binary format.  Prints TAP-style "ok - ..." lines.
//
// Run (Java 11+ single-file launch):
//   java -cp /usr/share/java/postgresql.jar test/client/KpiJdbcTest.java
// with PGPORT, PGUSER, PGDATABASE set (connects over TCP to 127.0.0.1).
import java.io.*;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.sql.*;
import java.util.*;
import java.util.regex.*;
import org.postgresql.PGResultSetMetaData;
import org.postgresql.util.PGobject;

public class KpiJdbcTest {
    // ---- a small JSON reader (objects, arrays, strings, numbers, true/false/null)
    private static String js;
    private static int jp;

    static Object parseJson(String s) { js = s; jp = 0; return value(); }

    private static void ws() { while (jp < js.length() && Character.isWhitespace(js.charAt(jp))) jp++; }

    private static Object value() {
        ws();
        char c = js.charAt(jp);
        if (c == '{') {
            Map<String, Object> m = new LinkedHashMap<>();
            jp++; ws();
            if (js.charAt(jp) == '}') { jp++; return m; }
            while (true) {
                ws(); String k = (String) value(); ws(); jp++; // ':'
                m.put(k, value()); ws();
                if (js.charAt(jp++) == '}') return m;
            }
        }
        if (c == '[') {
            List<Object> l = new ArrayList<>();
            jp++; ws();
            if (js.charAt(jp) == ']') { jp++; return l; }
            while (true) {
                l.add(value()); ws();
                if (js.charAt(jp++) == ']') return l;
            }
        }
        if (c == '"') {
            StringBuilder b = new StringBuilder();
            jp++;
            while (js.charAt(jp) != '"') {
                char ch = js.charAt(jp++);
                if (ch == '\\') {
                    char e = js.charAt(jp++);
                    switch (e) {
                        case 'n': b.append('\n'); break;
                        case 't': b.append('\t'); break;
                        case 'u': b.append((char) Integer.parseInt(js.substring(jp, jp + 4), 16)); jp += 4; break;
                        default: b.append(e);
                    }
                } else b.append(ch);
            }
            jp++;
            return b.toString();
        }
        if (js.startsWith("true", jp)) { jp += 4; return Boolean.TRUE; }
        if (js.startsWith("false", jp)) { jp += 5; return Boolean.FALSE; }
        if (js.startsWith("null", jp)) { jp += 4; return null; }
        int start = jp;
        while (jp < js.length() && "+-0123456789.eE".indexOf(js.charAt(jp)) >= 0) jp++;
        String num = js.substring(start, jp);
        if (num.matches("-?\\d+")) return Long.parseLong(num);
        return Double.parseDouble(num);
    }

    // ---- psql, for the reference output
    static String sqlLiteral(Object v) {
        if (v == null) return "NULL";
        if (v instanceof List) {
            StringJoiner j = new StringJoiner(",", "{", "}");
            for (Object e : (List<?>) v) j.add(String.valueOf(e));
            return sqlLiteral(j.toString());
        }
        // a double as the server converts a float8 parameter to numeric (49.0 -> 49)
        if (v instanceof Double) return "'" + new BigDecimal(v.toString()).stripTrailingZeros().toPlainString() + "'";
        return "'" + String.valueOf(v).replace("'", "''") + "'";
    }

    static List<String[]> psqlRows(String sql, List<?> params) throws Exception {
        StringJoiner args = new StringJoiner(", ");
        for (Object p : params) args.add(sqlLiteral(p));
        String script = "PREPARE q AS " + sql + ";\nEXECUTE q(" + args + ");\n";
        Process pr = new ProcessBuilder("psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-P", "null=<NULL>",
                                        "-F", "\u001f", "-R", "\u001e").redirectErrorStream(true).start();
        try (OutputStream o = pr.getOutputStream()) { o.write(script.getBytes(StandardCharsets.UTF_8)); }
        String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (pr.waitFor() != 0) throw new RuntimeException("psql failed: " + out);
        if (out.endsWith("\n")) out = out.substring(0, out.length() - 1);
        List<String[]> rows = new ArrayList<>();
        if (out.isEmpty()) return rows;
        for (String r : out.split("\u001e", -1)) rows.add(r.split("\u001f", -1));
        return rows;
    }

    // ---- comparing a JDBC value with psql's text
    static boolean sameNumber(Object got, String text) {
        if (got instanceof Double) {
            double w = Double.parseDouble(text);
            return Double.compare((Double) got, w) == 0;
        }
        if (got instanceof Long || got instanceof Integer || got instanceof Short) return ((Number) got).longValue() == Long.parseLong(text);
        if (got instanceof BigDecimal) return ((BigDecimal) got).toPlainString().equals(text);
        return false;
    }

    static String compare(Object got, String text) throws SQLException {
        if (text.equals("<NULL>")) return got == null ? null : "driver " + got + ", psql NULL";
        if (got == null) return "driver NULL, psql " + text;
        if (got instanceof Number) return sameNumber(got, text) ? null : "driver " + got + " (" + got.getClass().getSimpleName() + "), psql " + text;
        if (got instanceof Boolean) return (((Boolean) got) ? "t" : "f").equals(text) ? null : "driver " + got + ", psql " + text;
        if (got instanceof java.sql.Array) {
            Object[] arr = (Object[]) ((java.sql.Array) got).getArray();
            String inner = text.substring(1, text.length() - 1);
            String[] want = inner.isEmpty() ? new String[0] : inner.split(",", -1);
            if (arr.length != want.length) return "driver array of " + arr.length + ", psql " + text;
            for (int i = 0; i < arr.length; i++) {
                if (!(arr[i] instanceof Number) || !sameNumber(arr[i], want[i]))
                    return "element " + (i + 1) + ": driver " + arr[i] + ", psql " + want[i];
            }
            return null;
        }
        String s = got instanceof PGobject ? ((PGobject) got).getValue() : got.toString();
        return s.equals(text) ? null : "driver " + s + ", psql " + text;
    }

    public static void main(String[] argv) throws Exception {
        String dir = argv.length > 0 ? argv[0] : "test/client";
        String url = "jdbc:postgresql://127.0.0.1:" + System.getenv("PGPORT") + "/" + System.getenv("PGDATABASE")
                   + "?binaryTransfer=true&prepareThreshold=-1&stringtype=unspecified&ApplicationName=pg_kpi_jdbc_test";
        Properties props = new Properties();
        props.setProperty("user", System.getenv().getOrDefault("PGUSER", "postgres"));
        int failed = 0;
        try (Connection conn = DriverManager.getConnection(url, props)) {
            System.out.println("# pgjdbc " + conn.getMetaData().getDriverVersion());
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> cases = (List<Map<String, Object>>) parseJson(
                new String(Files.readAllBytes(Paths.get(dir, "cases.json")), StandardCharsets.UTF_8));
            for (Map<String, Object> c : cases) {
                String name = (String) c.get("name");
                String needs = (String) c.get("needs");
                if (needs != null) {
                    try (PreparedStatement p = conn.prepareStatement("SELECT to_regtype(?::text) IS NOT NULL")) {
                        p.setString(1, needs);
                        try (ResultSet r = p.executeQuery()) {
                            r.next();
                            if (!r.getBoolean(1)) {
                                System.out.println("ok - client: JDBC: " + name + " # SKIP " + needs + " is not in this build of pg_kpi");
                                continue;
                            }
                        }
                    }
                }
                // $n placeholders -> ?, remembering which parameter each ? binds
                String sql = (String) c.get("sql");
                List<Integer> slots = new ArrayList<>();
                Matcher m = Pattern.compile("\\$(\\d+)").matcher(sql);
                StringBuffer jdbcSql = new StringBuffer();
                while (m.find()) { slots.add(Integer.parseInt(m.group(1))); m.appendReplacement(jdbcSql, "?"); }
                m.appendTail(jdbcSql);

                String bad = null;
                int rows = 0, binaryCols = 0, numericCols = 0;
                long t0 = System.currentTimeMillis();
                @SuppressWarnings("unchecked")
                List<List<Object>> paramSets = (List<List<Object>>) c.get("params");
                try (PreparedStatement ps = conn.prepareStatement(jdbcSql.toString())) {
                    for (List<Object> params : paramSets) {
                        for (int i = 0; i < slots.size(); i++) {
                            Object v = params.get(slots.get(i) - 1);
                            if (v instanceof Long) ps.setLong(i + 1, (Long) v);
                            else if (v instanceof Double) ps.setDouble(i + 1, (Double) v);
                            else if (v instanceof List) {
                                List<?> l = (List<?>) v;
                                boolean nums = !l.isEmpty() && l.get(0) instanceof Number;
                                Object[] elems = nums ? l.stream().map(x -> ((Number) x).doubleValue()).toArray() : l.toArray();
                                ps.setArray(i + 1, conn.createArrayOf(nums ? "float8" : "text", elems));
                            } else ps.setString(i + 1, (String) v);
                        }
                        List<String[]> ref = psqlRows(sql, params);
                        try (ResultSet rs = ps.executeQuery()) {
                            ResultSetMetaData md = rs.getMetaData();
                            PGResultSetMetaData pmd = md.unwrap(PGResultSetMetaData.class);
                            int n = 0;
                            while (rs.next() && bad == null) {
                                if (n >= ref.size()) { bad = "more rows than psql"; break; }
                                for (int j = 1; j <= md.getColumnCount() && bad == null; j++) {
                                    String diff = compare(rs.getObject(j), ref.get(n)[j - 1]);
                                    if (diff != null) bad = "row " + (n + 1) + " column " + md.getColumnName(j) + ": " + diff;
                                }
                                n++;
                            }
                            if (bad == null && n != ref.size()) bad = n + " rows, psql " + ref.size();
                            if (bad == null && n == 0) bad = "no rows";
                            rows += n;
                            for (int j = 1; j <= md.getColumnCount(); j++) {
                                String t = md.getColumnTypeName(j);
                                if (t.equals("float8") || t.equals("int8") || t.equals("_float8") || t.equals("_int8")) {
                                    numericCols++;
                                    if (pmd.getFormat(j) == 1) binaryCols++;
                                    else if (bad == null) bad = "column " + md.getColumnName(j) + " (" + t + ") arrived in text format";
                                }
                            }
                        }
                        if (bad != null) { bad += " (params " + params + ")"; break; }
                    }
                } catch (Exception e) {
                    bad = "error: " + e.getMessage();
                }
                if (bad != null) failed++;
                System.out.println((bad == null ? "ok" : "not ok") + " - client: JDBC: " + name + " [binary results: "
                    + binaryCols + " of " + numericCols + " float8/bigint columns, prepared, " + paramSets.size()
                    + " parameter sets, " + rows + " rows, " + (System.currentTimeMillis() - t0) + " ms]"
                    + (bad == null ? " equal psql" : ": " + bad));
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
