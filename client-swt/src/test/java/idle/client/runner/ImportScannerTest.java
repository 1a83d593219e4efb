package idle.client.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.model.JobNeeds;
import idle.shared.model.ModuleNeed;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The import scanner on the forms python has, and on text that only looks like imports. */
class ImportScannerTest {
    private static List<String> required(String src) {
        return ImportScanner.scan(src).required();
    }

    @Test
    void everyFormOfImportGivesItsTopLevelName() {
        assertEquals(List.of("numpy", "os", "scipy", "w", "pandas", "matplotlib", "a", "b", "c"),
                required("""
                        import numpy
                        import os.path
                        import scipy.linalg as la, w
                        from pandas import DataFrame
                        from matplotlib.pyplot import (plot,
                                                       show)
                        import a; import b
                        x = 1; from c import d
                        """));
    }

    @Test
    void relativeImportsAreTheScriptsOwn() {
        assertEquals(List.of("real"), required("""
                from . import sibling
                from .helpers import f
                from .. import up
                from ...deep.er import g
                import real
                """));
    }

    @Test
    void stringsAndCommentsDoNotCount() {
        assertEquals(List.of("real"), required("""
                # import commented
                s = "import in_string"
                t = 'from in_single import x'
                doc = \"\"\"
                import in_triple
                from in_triple2 import y
                \"\"\"
                r = r'\\' import still_string'
                b = rb"import bytes_string"
                f = f"{x} import fstring"
                u = '''it\\'s
                import triple_single'''
                import real  # import after_comment
                """));
    }

    @Test
    void importsInTryBlocksAreOptional() {
        ImportScanner.Imports i = ImportScanner.scan("""
                try:
                    import ujson as json
                except ImportError:
                    import simplejson as json
                else:
                    import after_else
                try: import inline_try
                except ImportError: import inline_except
                import numpy
                def f():
                    try:
                        import nested_optional
                        if x:
                            import deeper_optional
                    finally:
                        pass
                    import needed_in_function
                """);
        assertEquals(List.of("after_else", "numpy", "needed_in_function"), i.required());
        assertEquals(List.of("ujson", "simplejson", "inline_try", "inline_except",
                "nested_optional", "deeper_optional"), i.optional());
    }

    @Test
    void anImportBothOptionalAndRequiredIsRequired() {
        ImportScanner.Imports i = ImportScanner.scan("try:\n    import a\nexcept: pass\nimport a\n");
        assertEquals(List.of("a"), i.required());
        assertEquals(List.of(), i.optional());
    }

    @Test
    void compoundHeadersWithABodyOnTheSameLineAndContinuations() {
        assertEquals(List.of("one", "two", "three", "four", "five", "six"), required("""
                if True: import one
                for x in {1: 2}: import two
                def f(a: int) -> None: import three
                import \\
                    four
                with open(x) as f, \\
                     open(y) as g: import five
                class A: import six
                """));
    }

    @Test
    void namesThatAreNotImportsAndOddSpacing() {
        assertEquals(List.of("real", "tabbed"), required("""
                important = 1
                imports = [x for x in y]
                from_ = 2
                match = re.match(a, b)
                print("import x")
                import   real
                \timport tabbed
                """));
        assertEquals(List.of("crlf"), required("x = 1\r\nimport crlf\r\n"));
        assertEquals(List.of(), required(""));
        assertEquals(List.of(), required("s = 'unterminated\nx = \"\"\"also"));
    }

    @Test
    void needsLeaveOutTheStandardLibraryAndTheJobsOwnModules() {
        byte[] script = """
                from __future__ import annotations
                import os, sys, json, tomllib
                import numpy as np
                import helper
                import analyse
                from sklearn.linear_model import LinearRegression
                import yaml
                import caf\u00e9
                """.getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of(ModuleNeed.any("numpy"), ModuleNeed.any("sklearn"),
                        ModuleNeed.any("yaml")),
                ScriptNeeds.detect("analyse.py", script, List.of("helper.py", "data.csv")));
        assertTrue(ScriptNeeds.isStandardLibrary("tomllib"));
        assertTrue(!ScriptNeeds.isStandardLibrary("numpy"));
    }

    @Test
    void explicitNeedsReplaceDetectedOnesAndAreChecked() {
        List<ModuleNeed> explicit = ScriptNeeds.parseExplicit(List.of("numpy>=1.24", "pandas"));
        assertEquals(List.of(ModuleNeed.parse("numpy>=1.24"), ModuleNeed.any("yaml"),
                        ModuleNeed.any("pandas")),
                ScriptNeeds.merge(List.of(ModuleNeed.any("numpy"), ModuleNeed.any("yaml")),
                        explicit));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> ScriptNeeds.parseExplicit(List.of("numpy>=1", "numpy<2")));
        assertTrue(twice.getMessage().contains("numpy>=1.0,<2"), twice.getMessage());
        IllegalArgumentException std = assertThrows(IllegalArgumentException.class,
                () -> ScriptNeeds.parseExplicit(List.of("json")));
        assertTrue(std.getMessage().contains("standard library"), std.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ScriptNeeds.parseExplicit(List.of("numpy=>1")));
        assertTrue(bad.getMessage().startsWith("--needs "), bad.getMessage());
        List<ModuleNeed> many = new ArrayList<>();
        for (int i = 0; i <= JobNeeds.MAX_MODULES; i++) {
            many.add(ModuleNeed.any("m" + i));
        }
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> ScriptNeeds.merge(many, List.of()));
        assertTrue(tooMany.getMessage().contains("--no-scan-imports"), tooMany.getMessage());
    }

    @Test
    void aHugeScriptIsScannedInLinearTime() {
        String big = "import numpy\n" + "x = '''" + "a".repeat(2_000_000) + "'''\n"
                + "(".repeat(100_000) + "\nimport not_reached_inside_brackets\n";
        long t0 = System.nanoTime();
        assertEquals(List.of("numpy"), required(big));
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "took too long");
    }
}
