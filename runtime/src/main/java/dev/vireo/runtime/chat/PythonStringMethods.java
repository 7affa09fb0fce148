package dev.vireo.runtime.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Lets templates call Python's string methods ({@code content.startswith('x')},
 * {@code .strip()}, {@code .split('</think>')} ...), as Hugging Face templates written for
 * Jinja2 do; Jinjava on its own knows only Java's. Every other lookup goes to Jinjava's own
 * resolver.
 */
final class PythonStringMethods extends ELResolver {
    private final ELResolver delegate;

    PythonStringMethods(ELResolver delegate) {
        this.delegate = delegate;
    }

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (base instanceof String s && method instanceof String name) {
            Object[] p = params == null ? new Object[0] : params;
            Object result = call(s, name, p);
            if (result != NOT_HANDLED) {
                context.setPropertyResolved(true);
                return result;
            }
        }
        return delegate.invoke(context, base, method, paramTypes, params);
    }

    private static final Object NOT_HANDLED = new Object();

    /** Python's str method {@code name} on {@code s}, or NOT_HANDLED for any other name or arity. */
    static Object call(String s, String name, Object[] p) {
        return switch (name) {
            case "startswith" -> p.length == 1 ? anyMatch(p[0], s::startsWith) : NOT_HANDLED;
            case "endswith" -> p.length == 1 ? anyMatch(p[0], s::endsWith) : NOT_HANDLED;
            case "strip" -> p.length == 0 ? s.strip() : p.length == 1 ? stripChars(s, str(p[0]), true, true) : NOT_HANDLED;
            case "lstrip" -> p.length == 0 ? s.stripLeading() : p.length == 1 ? stripChars(s, str(p[0]), true, false) : NOT_HANDLED;
            case "rstrip" -> p.length == 0 ? s.stripTrailing() : p.length == 1 ? stripChars(s, str(p[0]), false, true) : NOT_HANDLED;
            case "upper" -> p.length == 0 ? s.toUpperCase(Locale.ROOT) : NOT_HANDLED;
            case "lower" -> p.length == 0 ? s.toLowerCase(Locale.ROOT) : NOT_HANDLED;
            case "title" -> p.length == 0 ? title(s) : NOT_HANDLED;
            case "capitalize" -> p.length == 0 ? (s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT)
                    + s.substring(1).toLowerCase(Locale.ROOT)) : NOT_HANDLED;
            case "split" -> p.length == 0 ? splitWhitespace(s) : p.length == 1 ? split(s, str(p[0])) : NOT_HANDLED;
            case "replace" -> p.length == 2 ? s.replace(str(p[0]), str(p[1])) : NOT_HANDLED;
            case "find" -> p.length == 1 ? (long) s.indexOf(str(p[0])) : NOT_HANDLED;
            case "count" -> p.length == 1 ? count(s, str(p[0])) : NOT_HANDLED;
            default -> NOT_HANDLED;
        };
    }

    private interface Test {
        boolean test(String prefix);
    }

    /** Python accepts one string or a tuple (a list here) of them. */
    private static boolean anyMatch(Object arg, Test t) {
        if (arg instanceof List<?> list) {
            for (Object o : list) {
                if (t.test(str(o))) {
                    return true;
                }
            }
            return false;
        }
        return t.test(str(arg));
    }

    private static String str(Object o) {
        return o == null ? "" : o.toString();
    }

    private static String stripChars(String s, String chars, boolean left, boolean right) {
        int a = 0;
        int b = s.length();
        while (left && a < b && chars.indexOf(s.charAt(a)) >= 0) {
            a++;
        }
        while (right && b > a && chars.indexOf(s.charAt(b - 1)) >= 0) {
            b--;
        }
        return s.substring(a, b);
    }

    private static List<String> split(String s, String sep) {
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("split: empty separator");
        }
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int at; (at = s.indexOf(sep, from)) >= 0; from = at + sep.length()) {
            out.add(s.substring(from, at));
        }
        out.add(s.substring(from));
        return out;
    }

    private static List<String> splitWhitespace(String s) {
        String t = s.strip();
        return t.isEmpty() ? List.of() : Arrays.asList(t.split("\\s+"));
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean start = true;
        for (char c : s.toCharArray()) {
            sb.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
            start = !Character.isLetter(c);
        }
        return sb.toString();
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1;
        }
        long n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return delegate.getCommonPropertyType(context, base);
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return delegate.getFeatureDescriptors(context, base);
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return delegate.getType(context, base, property);
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return delegate.getValue(context, base, property);
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return delegate.isReadOnly(context, base, property);
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        delegate.setValue(context, base, property, value);
    }
}
