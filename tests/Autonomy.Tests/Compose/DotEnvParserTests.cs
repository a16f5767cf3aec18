using Autonomy.Server.Compose.EnvFiles;
using Autonomy.Server.Compose.Interpolation;

namespace Autonomy.Tests.Compose;

// The cases marked with a compose-go test name are transcribed from compose-go's dotenv tests (the conformance suite's
// "dotenv" cases). Expected values are written "NAME=VALUE" and compared with what the entries define.
public class DotEnvParserTests
{
    [Theory]
    [InlineData("OPTION_A=1\nOPTION_B=2\nOPTION_C= 3\nOPTION_D =4\nOPTION_E = 5\n456 = ABC\nOPTION_F = \nOPTION_G=\nOPTION_H = my string # Inline comment\n", "OPTION_A=1", "OPTION_B=2", "OPTION_C=3", "OPTION_D=4", "OPTION_E=5", "OPTION_F=", "OPTION_G=", "OPTION_H=my string", "456=ABC")] // TestReadPlainEnv
    [InlineData("ONE=1\nTWO='2'\nTHREE = \"3\"", "ONE=1", "TWO=2", "THREE=3")] // TestParse
    [InlineData("export OPTION_A=2\nexport OPTION_B='\\n'\n", "OPTION_A=2", "OPTION_B=\\n")] // TestLoadExportedEnv
    [InlineData("export OPTION_A='postgres://localhost:5432/database?sslmode=disable'\n\n", "OPTION_A=postgres://localhost:5432/database?sslmode=disable")] // TestLoadEqualsEnv
    [InlineData("OPTION_A='1'\nOPTION_B='2'\nOPTION_C=''\nOPTION_D='\\n'\nOPTION_E=\"1\"\nOPTION_F=\"2\"\nOPTION_G=\"\"\nOPTION_H=\"\\n\"\nOPTION_I = \"echo 'asd'\" # Inline comment\nOPTION_J = 'first line\nsecond line\nthird line\nand so on'\nOPTION_K='Let\\'s go!'\nOPTION_Z = \"last value\"\n", "OPTION_A=1", "OPTION_B=2", "OPTION_C=", "OPTION_D=\\n", "OPTION_E=1", "OPTION_F=2", "OPTION_G=", "OPTION_H=\n", "OPTION_I=echo 'asd'", "OPTION_J=first line\nsecond line\nthird line\nand so on", "OPTION_K=Let's go!", "OPTION_Z=last value")] // TestLoadQuotedEnv
    [InlineData("OPTION_A = \"some quoted phrase\"\nOPTION_B=first one with an unquoted phrase\nOPTION_C = then another one with an unquoted phrase\nOPTION_D = then another one with an unquoted phrase special è char\nOPTION_E = \"then another one quoted phrase\"\n", "OPTION_A=some quoted phrase", "OPTION_B=first one with an unquoted phrase", "OPTION_C=then another one with an unquoted phrase", "OPTION_D=then another one with an unquoted phrase special è char", "OPTION_E=then another one quoted phrase")] // TestLoadUnquotedEnv
    [InlineData("OPTION_A=1\nOPTION_B=${OPTION_A}\nOPTION_C=$OPTION_B\nOPTION_D=${OPTION_A}_${OPTION_B}\nOPTION_E=${OPTION_NOT_DEFINED}\n", "OPTION_A=1", "OPTION_B=1", "OPTION_C=1", "OPTION_D=1_1", "OPTION_E=")] // TestSubstitutions
    [InlineData("FOO=test\nBAR=$FOO", "FOO=test", "BAR=test")] // TestExpanding.1
    [InlineData("FOO=test\nBAR=${FOO}bar", "FOO=test", "BAR=testbar")] // TestExpanding.2
    [InlineData("BAR=$FOO", "BAR=")] // TestExpanding.3
    [InlineData("FOO=test\nBAR=\"quote $FOO\"", "FOO=test", "BAR=quote test")] // TestExpanding.4
    [InlineData("BAR='quote $FOO'", "BAR=quote $FOO")] // TestExpanding.5
    [InlineData("FOO=\"foo\\$BAR\"", "FOO=foo$BAR")] // TestExpanding.6
    [InlineData("FOO=\"foo\\${BAR}\"", "FOO=foo${BAR}")] // TestExpanding.7
    [InlineData("FOO=test\nBAR=\"foo\\${FOO} ${FOO}\"", "FOO=test", "BAR=foo${FOO} test")] // TestExpanding.8
    [InlineData("TEST_URLS=\"stratum+tcp://stratum.antpool.com:3333\nstratum+tcp://stratum.antpool.com:443\"", "TEST_URLS=stratum+tcp://stratum.antpool.com:3333\nstratum+tcp://stratum.antpool.com:443")] // TestVariableStringValueSeparator
    [InlineData("FOO=bar", "FOO=bar")] // TestParsing.1
    [InlineData("FOO =bar", "FOO=bar")] // TestParsing.2
    [InlineData("FOO= bar", "FOO=bar")] // TestParsing.3
    [InlineData("FOO=\"bar\"", "FOO=bar")] // TestParsing.4
    [InlineData("FOO='bar'", "FOO=bar")] // TestParsing.5
    [InlineData("FOO=\"escaped\\\"bar\"", "FOO=escaped\"bar")] // TestParsing.6
    [InlineData("FOO=\"\\\"quoted\\\"\"", "FOO=\"quoted\"")] // TestParsing.7
    [InlineData("FOO=\"'d'\"", "FOO='d'")] // TestParsing.8
    [InlineData("OPTION_A: 1", "OPTION_A=1")] // TestParsing.9
    [InlineData("OPTION_A: Foo=bar", "OPTION_A=Foo=bar")] // TestParsing.10
    [InlineData("OPTION_A=1:B", "OPTION_A=1:B")] // TestParsing.11
    [InlineData("export OPTION_A=2", "OPTION_A=2")] // TestParsing.12
    [InlineData("export OPTION_B='\\n'", "OPTION_B=\\n")] // TestParsing.13
    [InlineData("export exportFoo=2", "exportFoo=2")] // TestParsing.14
    [InlineData("exportFOO=2", "exportFOO=2")] // TestParsing.15
    [InlineData("export_FOO =2", "export_FOO=2")] // TestParsing.16
    [InlineData("export.FOO= 2", "export.FOO=2")] // TestParsing.17
    [InlineData("export\tOPTION_A=2", "OPTION_A=2")] // TestParsing.18
    [InlineData("  export OPTION_A=2", "OPTION_A=2")] // TestParsing.19
    [InlineData("\texport OPTION_A=2", "OPTION_A=2")] // TestParsing.20
    [InlineData("export OPTION_A=\"export A\"", "OPTION_A=export A")] // TestParsing.21
    [InlineData("FOO=\"bar\\nbaz\"", "FOO=bar\nbaz")] // TestParsing.22
    [InlineData("FOO=a\\tb", "FOO=a\\tb")] // TestParsing.23
    [InlineData("FOO=\"a\\tb\"", "FOO=a\tb")] // TestParsing.24
    [InlineData("KEY=\"Z\\aZ\\bZ\\fZ\\nZ\\rZ\\tZ\\vZ\\\\Z\\0123Z\"", "KEY=Z\aZ\bZ\fZ\nZ\rZ\tZ\vZ\\ZSZ")] // TestParsing.25
    [InlineData("FOO.BAR=foobar", "FOO.BAR=foobar")] // TestParsing.26
    [InlineData("FOO=foobar=", "FOO=foobar=")] // TestParsing.27
    [InlineData("FOO=bar ", "FOO=bar")] // TestParsing.28
    [InlineData("FOO=bar # this is foo", "FOO=bar")] // TestParsing.29
    [InlineData("FOO=bar #this is foo", "FOO=bar")] // TestParsing.30
    [InlineData("FOO=bar #", "FOO=bar")] // TestParsing.31
    [InlineData("FOO=123#not-an-inline-comment", "FOO=123#not-an-inline-comment")] // TestParsing.32
    [InlineData("FOO=\"bar#baz\"", "FOO=bar#baz")] // TestParsing.33
    [InlineData("FOO=\"bar#baz\"#", "FOO=bar#baz")] // TestParsing.34
    [InlineData("FOO=\"bar#baz\" # comment", "FOO=bar#baz")] // TestParsing.35
    [InlineData("FOO='bar#baz' # comment", "FOO=bar#baz")] // TestParsing.36
    [InlineData("FOO=\"bar#baz#bang\" # comment", "FOO=bar#baz#bang")] // TestParsing.37
    [InlineData("FOO=\"ba#r\"", "FOO=ba#r")] // TestParsing.38
    [InlineData("FOO='ba#r'", "FOO=ba#r")] // TestParsing.39
    [InlineData("FOO=\"bar\\n\\ b\\az\"", "FOO=bar\n\\ b\az")] // TestParsing.40
    [InlineData("FOO=\"bar\\\\\\n\\ b\\az\"", "FOO=bar\\\n\\ b\az")] // TestParsing.41
    [InlineData("FOO=\"bar\\\\r\\ b\\az\"", "FOO=bar\\r\\ b\az")] // TestParsing.42
    [InlineData("FOO=\"bar\\nbaz\\\\\"", "FOO=bar\nbaz\\")] // TestParsing.43
    [InlineData(" KEY =value", "KEY=value")] // TestParsing.44
    [InlineData("   KEY=value", "KEY=value")] // TestParsing.45
    [InlineData("\tKEY=value", "KEY=value")] // TestParsing.46
    [InlineData("KEY=\"\\0123\"", "KEY=S")] // TestParsing.47
    [InlineData("KEY=\"\\x07\"", "KEY=\\x07")] // TestParsing.48
    [InlineData("KEY=\"\\u12e4\"", "KEY=\\u12e4")] // TestParsing.49
    [InlineData("KEY=\"\\U00101234\"", "KEY=\\U00101234")] // TestParsing.50
    [InlineData("\n")] // TestLinesToIgnore.1
    [InlineData("\r\n")] // TestLinesToIgnore.2
    [InlineData("\t\t ")] // TestLinesToIgnore.3
    [InlineData("# Comment")] // TestLinesToIgnore.4
    [InlineData("\t # comment")] // TestLinesToIgnore.5
    [InlineData("VARIABLE_NOT_FOUND\n")] // TestInheritedEnvVariableNotFound
    [InlineData("OPTION_A=${OPTION_A:-1}\nOPTION_B=${OPTION_A}\nOPTION_C=$OPTION_B\nOPTION_D=${OPTION_A}_${OPTION_B}\nOPTION_E=${OPTION_NOT_DEFINED}\n", "OPTION_A=1", "OPTION_B=1", "OPTION_C=1", "OPTION_D=1_1", "OPTION_E=")] // TestSubstitutionsWithUnsetVarEnvFileDefaultValuePrecedence
    [InlineData("\uFEFFOPTION_A=1\nOPTION_B=2\nOPTION_C= 3\nOPTION_D =4\nOPTION_E = 5\n456 = ABC\nOPTION_F =\nOPTION_G=\nOPTION_H = my string # Inline comment\n", "OPTION_A=1", "OPTION_B=2", "OPTION_C=3", "OPTION_D=4", "OPTION_E=5", "456=ABC", "OPTION_F=", "OPTION_G=", "OPTION_H=my string")] // TestUTF8BOM
    [InlineData("VAR.WITH.DOTS=dots\nVAR_WITH_UNDERSCORES=underscores\nVAR-WITH-DASHES=dashes\n", "VAR-WITH-DASHES=dashes", "VAR.WITH.DOTS=dots", "VAR_WITH_UNDERSCORES=underscores")] // TestDash
    [InlineData("EMPTY_VAR=\nTEST_VAR=Test Value\nRESULT=${UNSET_VAR:-Default Value}\n", "EMPTY_VAR=", "TEST_VAR=Test Value", "RESULT=Default Value")] // TestExpandIfEmptyOrUnset.1
    [InlineData("EMPTY_VAR=\nTEST_VAR=Test Value\nRESULT=${EMPTY_VAR:-Default Value}\n", "EMPTY_VAR=", "TEST_VAR=Test Value", "RESULT=Default Value")] // TestExpandIfEmptyOrUnset.2
    [InlineData("EMPTY_VAR=\nTEST_VAR=Test Value\nRESULT=${TEST_VAR:-Default Value}\n", "EMPTY_VAR=", "TEST_VAR=Test Value", "RESULT=Test Value")] // TestExpandIfEmptyOrUnset.3
    [InlineData("EMPTY_VAR=\nTEST_VAR=Test Value\nRESULT=${UNSET_VAR-Default Value}\n", "EMPTY_VAR=", "TEST_VAR=Test Value", "RESULT=Default Value")] // TestExpandIfUnset.1
    [InlineData("EMPTY_VAR=\nTEST_VAR=Test Value\nRESULT=${EMPTY_VAR-Default Value}\n", "EMPTY_VAR=", "TEST_VAR=Test Value", "RESULT=")] // TestExpandIfUnset.2
    [InlineData("EMPTY_VAR=\nTEST_VAR=Test Value\nRESULT=${TEST_VAR-Default Value}\n", "EMPTY_VAR=", "TEST_VAR=Test Value", "RESULT=Test Value")] // TestExpandIfUnset.3
    [InlineData("EMPTY_VAR=\nTEST_VAR=Test Value\nRESULT=${TEST_VAR:?Default Value}\n", "EMPTY_VAR=", "TEST_VAR=Test Value", "RESULT=Test Value")] // TestErrorIfEmptyOrUnset.3
    [InlineData("EMPTY_VAR=\nTEST_VAR=Test Value\nRESULT=${EMPTY_VAR?Test error}\n", "EMPTY_VAR=", "TEST_VAR=Test Value", "RESULT=")] // TestErrorIfUnset.2
    [InlineData("EMPTY_VAR=\nTEST_VAR=Test Value\nRESULT=${TEST_VAR?Default Value}\n", "EMPTY_VAR=", "TEST_VAR=Test Value", "RESULT=Test Value")] // TestErrorIfUnset.3
    [InlineData("\na=b\na[1]=c\na.propertyKey=d\nárvíztűrő-TÜKÖRFÚRÓGÉP=ÁRVÍZTŰRŐ-tükörfúrógép\n", "a=b", "a[1]=c", "a.propertyKey=d", "árvíztűrő-TÜKÖRFÚRÓGÉP=ÁRVÍZTŰRŐ-tükörfúrógép")] // TestParseBytes
    [InlineData("A=\nB=\"\"\nC=''", "A=", "B=", "C=")]
    [InlineData("A : b\nC:d", "A=b", "C=d")]
    [InlineData("A=  a  b  ", "A=a  b")]
    [InlineData("A=a\\nb", "A=a\\nb")]
    [InlineData("A=bar\t#x", "A=bar\t#x")]
    [InlineData("A= #x", "A=#x")]
    [InlineData("A=a#b #c # d", "A=a#b")]
    [InlineData("A=\"x\" B=y", "A=x", "B=y")]
    [InlineData("A='${B'", "A=${B")]
    [InlineData("A=1\nA=2\nA=3", "A=3")]
    [InlineData("\u043a\u043b\u044e\u0447=1\n\U0001D538=2\nx\u00b2=3", "\u043a\u043b\u044e\u0447=1", "\U0001D538=2", "x\u00b2=3")]
    [InlineData("B='$$'\nA=$B", "B=$$", "A=$$")]
    public void Parse_ReadsAssignments(string text, params string[] expected) =>
        Assert.Equal(Sorted(expected), TestEnvironment.DefinedAssignments(DotEnvParser.Parse(text, TestEnvironment.Lookup())));

    // environment: the one variable set in the lookup, as "NAME=VALUE".
    [Theory]
    [InlineData("VAR_TO_BE_LOADED_FROM_OS_ENV=SOME_RANDOM_VALUE", "foo=bar\nVAR_TO_BE_LOADED_FROM_OS_ENV\nbar=baz\n", "VAR_TO_BE_LOADED_FROM_OS_ENV=SOME_RANDOM_VALUE", "foo=bar", "bar=baz")] // TestInheritedEnvVariableSameSize
    [InlineData("VAR_TO_BE_LOADED_FROM_OS_ENV=SOME_RANDOM_VALUE", "VAR_TO_BE_LOADED_FROM_OS_ENV\n", "VAR_TO_BE_LOADED_FROM_OS_ENV=SOME_RANDOM_VALUE")] // TestInheritedEnvVariableSingleVar
    [InlineData("ME=YES", "TEST=$ME", "TEST=YES")] // TestExpandingEnvironmentWithLookup
    [InlineData("OPTION_A=5", "OPTION_A=1\nOPTION_B=${OPTION_A}\nOPTION_C=$OPTION_B\nOPTION_D=${OPTION_A}_${OPTION_B}\nOPTION_E=${OPTION_NOT_DEFINED}\n", "OPTION_A=1", "OPTION_B=5", "OPTION_C=5", "OPTION_D=5_5", "OPTION_E=")] // TestSubstitutionsWithEnvFilePrecedence
    [InlineData("OPTION_A=5", "OPTION_A=${OPTION_A:-1}\nOPTION_B=${OPTION_A}\nOPTION_C=$OPTION_B\nOPTION_D=${OPTION_A}_${OPTION_B}\nOPTION_E=${OPTION_NOT_DEFINED}\n", "OPTION_A=5", "OPTION_B=5", "OPTION_C=5", "OPTION_D=5_5", "OPTION_E=")] // TestSubstitutionsWithEnvFileDefaultValuePrecedence
    [InlineData("B=2", "B\nA=$B", "B=2", "A=2")]
    [InlineData("X=$Y", "A=$X\nB=\"${X}\"", "A=$Y", "B=$Y")]
    [InlineData("X=x", "A=\\$X\nB=\"\\\\$X\"", "A=\\x", "B=\\x")]
    public void Parse_ReadsAssignmentsWithTheEnvironment(string environment, string text, params string[] expected) =>
        Assert.Equal(Sorted(expected), TestEnvironment.DefinedAssignments(DotEnvParser.Parse(text, TestEnvironment.Lookup(environment))));

    // Double-quoted values expand the escapes compose-go expands and keep every other backslash as written.
    [Theory]
    [InlineData("\\c", "\\c")]
    [InlineData("\\q", "\\q")]
    [InlineData("\\'", "\\'")]
    [InlineData("\\x41", "\\x41")]
    [InlineData("\\0", "\\0")]
    [InlineData("\\01", "\\01")]
    [InlineData("\\012", "\\012")]
    [InlineData("\\0101", "A")]
    [InlineData("\\0377", "\u00ff")]
    [InlineData("\\0777", "\\0777")]
    [InlineData("\\0128", "\\0128")]
    [InlineData("\\01234", "S4")]
    [InlineData("\\$\\$", "$$")]
    [InlineData("$$X", "$X")]
    [InlineData("\\0044X", "x")]
    [InlineData("\\\\\\\"", "\\\"")]
    [InlineData("tail\\\\", "tail\\")]
    public void Parse_DoubleQuotedEscapes(string quoted, string expected)
    {
        var entries = DotEnvParser.Parse($"A=\"{quoted}\"", TestEnvironment.Lookup("X=x"));

        Assert.Equal(expected, Assert.Single(entries).Value);
    }

    [Fact]
    public void Parse_SingleQuotedValue_IsLiteralExceptForAnEscapedQuote()
    {
        var entries = DotEnvParser.Parse("A='a\\\\b $X \\n \\'\n${X}'", TestEnvironment.Lookup("X=x"));

        Assert.Equal("a\\\\b $X \\n '\n${X}", Assert.Single(entries).Value);
    }

    [Fact]
    public void Parse_ReturnsEveryAssignmentInOrderWithItsLine()
    {
        var entries = DotEnvParser.Parse("# comment\nA=1\n\nB='x\ny'\nexport C=3\r\n  A=4 # again\n", TestEnvironment.Lookup());

        DotEnvEntry[] expected = [new("A", "1", 2), new("B", "x\ny", 4), new("C", "3", 6), new("A", "4", 7)];
        Assert.Equal(expected, entries);
    }

    [Fact]
    public void Parse_BareKeyNotInTheLookup_DefinesNothing()
    {
        var entries = DotEnvParser.Parse("A=1\nA\nB\n", TestEnvironment.Lookup());

        DotEnvEntry[] expected = [new("A", "1", 1), new("A", null, 2), new("B", null, 3)];
        Assert.Equal(expected, entries);
        Assert.Equal(["A=1"], TestEnvironment.DefinedAssignments(entries));
    }

    // compose-go reads a bare KEY on the last line, without a line break, as the value of an empty key; here it is a
    // bare KEY like any other.
    [Theory]
    [InlineData("B=2", "A=1\nB", "A=1", "B=2")]
    [InlineData("B=2", "A=1\nB  ", "A=1", "B=2")]
    [InlineData("", "A=1\nB", "A=1")]
    [InlineData("junk=j", "A='x'junk", "A=x", "junk=j")]
    public void Parse_BareKeyOnTheLastLine_IsLookedUp(string environment, string text, params string[] expected)
    {
        var lookup = environment.Length == 0 ? TestEnvironment.Lookup() : TestEnvironment.Lookup(environment);

        Assert.Equal(Sorted(expected), TestEnvironment.DefinedAssignments(DotEnvParser.Parse(text, lookup)));
    }

    [Theory]
    [InlineData("export\nA=1")]
    [InlineData("export   \nA=1")]
    [InlineData("export\r\nA=1")]
    public void Parse_ExportAloneOnALine_IsIgnored(string text)
    {
        var entries = DotEnvParser.Parse(text, _ => throw new InvalidOperationException("no lookup expected"));

        Assert.Equal([new DotEnvEntry("A", "1", 2)], entries);
    }

    [Fact]
    public void Parse_CrLfLineEnds_AreNotPartOfValues()
    {
        var entries = DotEnvParser.Parse("A=1\r\nB = two words \r\nC=\"x\"\r\n# c\r\nD\r\nE: 'e'\r\n", TestEnvironment.Lookup("D=d"));

        DotEnvEntry[] expected = [new("A", "1", 1), new("B", "two words", 2), new("C", "x", 3), new("D", "d", 5), new("E", "e", 6)];
        Assert.Equal(expected, entries);
    }

    // compose-go keeps what is between the quotes, so a multi-line quoted value of a CRLF file keeps its CRs.
    [Fact]
    public void Parse_MultiLineQuotedValueOfACrLfFile_KeepsItsLineEnds()
    {
        var entries = DotEnvParser.Parse("A=\"x\r\ny\"\r\nB='1\r\n2'\r\n", TestEnvironment.Lookup());

        Assert.Equal(["A=x\r\ny", "B=1\r\n2"], TestEnvironment.DefinedAssignments(entries));
    }

    // When interpolating, a name is looked up in the process environment first, then in this file's earlier lines, then
    // in the env files read before this one.
    [Fact]
    public void Parse_InterpolationLooksUpTheEnvironmentThenTheFileThenEarlierFiles()
    {
        var entries = DotEnvParser.Parse(
            "X=own\nZ=own\nA=$X\nB=$Y\nC=$Z\nD=${W-unset}",
            TestEnvironment.Lookup("Z=environment"),
            TestEnvironment.Lookup("X=earlier", "Y=earlier", "Z=earlier"));

        Assert.Equal(["A=own", "B=earlier", "C=environment", "D=unset", "X=own", "Z=own"], TestEnvironment.DefinedAssignments(entries));
    }

    // compose-go's TestMultipleFiles: two env files of one service, read in order.
    [Theory]
    [InlineData("", "ENV_HOSTNAME=dev.my-company.com", "ENV_MY_URL=http://dev.my-company.com")]
    [InlineData("ENV_HOSTNAME=host.local", "ENV_HOSTNAME=dev.my-company.com", "ENV_MY_URL=http://host.local")]
    public void Parse_SeveralFiles_LaterFilesOverrideEarlierOnes(string environment, params string[] expected)
    {
        var lookup = environment.Length == 0 ? TestEnvironment.Lookup() : TestEnvironment.Lookup(environment);
        var defined = new Dictionary<string, string>(StringComparer.Ordinal);

        foreach (var text in new[]
        {
            "\nENV_HOSTNAME=localhost\nENV_MY_URL=\"http://${ENV_HOSTNAME}\"\n",
            "\nENV_HOSTNAME=dev.my-company.com\nENV_MY_URL=\"http://${ENV_HOSTNAME}\"\n",
        })
        {
            var earlier = new Dictionary<string, string>(defined, StringComparer.Ordinal);
            foreach (var (key, value) in TestEnvironment.Defined(DotEnvParser.Parse(text, lookup, name => earlier.GetValueOrDefault(name))))
            {
                defined[key] = value;
            }
        }

        Assert.Equal(Sorted(expected), defined.Select(pair => $"{pair.Key}={pair.Value}").Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("lol$wut", 1, 4, "unexpected character \"$\" in variable name \"lol$wut\"")] // TestParsing.51
    [InlineData("KEY=\"", 1, 5, "unterminated quoted value")] // TestUnterminatedQuotes.1
    [InlineData("KEY=\"value", 1, 5, "unterminated quoted value")] // TestUnterminatedQuotes.2
    [InlineData("KEY=\"value\\\"", 1, 5, "unterminated quoted value")] // TestUnterminatedQuotes.3
    [InlineData("KEY=\"value'", 1, 5, "unterminated quoted value")] // TestUnterminatedQuotes.4
    [InlineData("KEY='", 1, 5, "unterminated quoted value")] // TestUnterminatedQuotes.5
    [InlineData("KEY='value", 1, 5, "unterminated quoted value")] // TestUnterminatedQuotes.6
    [InlineData("KEY='value\\'", 1, 5, "unterminated quoted value")] // TestUnterminatedQuotes.7
    [InlineData("KEY='value\"", 1, 5, "unterminated quoted value")] // TestUnterminatedQuotes.8
    [InlineData("# some comments\nfoo=\"\n  a\n  multine\n  value\n\"\nINVALID LINE\nzot=qix", 7, 8, "variable name \"INVALID LINE\" contains a space")] // TestErrorParsing
    [InlineData("%!(EXTRA string)=foo", 1, 1, "unexpected character \"%\" in variable name \"%!(EXTRA string)=foo\"")] // TestParseVariable
    [InlineData("=value", 1, 1, "has no variable name before '='; write NAME=VALUE")]
    [InlineData("A=1\n  : b", 2, 3, "has no variable name before ':'")]
    [InlineData("A\tB=1", 1, 2, "variable name \"A\tB\" contains a space")]
    [InlineData("\uFEFFA B=1", 1, 2, "contains a space")]
    [InlineData("A=1\n  B C\n", 2, 4, "variable name \"B C\" contains a space")]
    [InlineData("A=1\nkey!=1", 2, 4, "unexpected character \"!\" in variable name \"key!=1\"")]
    [InlineData("A\u2003B=1", 1, 2, "unexpected character \"\u2003\"")]
    [InlineData("\U0001F600=1", 1, 1, "unexpected character \"\U0001F600\"")]
    [InlineData("A=1\nB=\"open\nC=2", 2, 3, "the double quote that opens the value of B is never closed")]
    [InlineData("A='x\\'", 1, 3, "the single quote that opens the value of A is never closed; add the closing '")]
    public void Parse_MalformedText_Throws(string text, int line, int column, string messagePart)
    {
        var error = Assert.Throws<DotEnvException>(() => DotEnvParser.Parse(text, TestEnvironment.Lookup()));

        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    // The position is the '$' of the failing expression in the file, through escapes and line breaks of quoted values.
    [Theory]
    [InlineData("EMPTY_VAR=\nTEST_VAR=Test Value\nRESULT=${UNSET_VAR:?Test error}\n", 3, 8, "required variable UNSET_VAR is missing a value: Test error")] // TestErrorIfEmptyOrUnset.1
    [InlineData("EMPTY_VAR=\nTEST_VAR=Test Value\nRESULT=${EMPTY_VAR:?Test error}\n", 3, 8, "required variable EMPTY_VAR is missing a value: Test error")] // TestErrorIfEmptyOrUnset.2
    [InlineData("EMPTY_VAR=\nTEST_VAR=Test Value\nRESULT=${UNSET_VAR?Test error}\n", 3, 8, "required variable UNSET_VAR is missing a value: Test error")] // TestErrorIfUnset.1
    [InlineData("A=1\nB=x ${C:?need C}", 2, 5, "required variable C is missing a value: need C")]
    [InlineData("A=\"line1\n  ${C:?need C}\"", 2, 3, "required variable C is missing a value: need C")]
    [InlineData("A=\"\\t\\$\\0101${C?}\"", 1, 13, "required variable C is missing a value")]
    [InlineData("A = ${X:-${C:?need C}}", 1, 10, "required variable C is missing a value: need C")]
    public void Parse_RequiredVariableMissing_Throws(string text, int line, int column, string message)
    {
        var error = Assert.Throws<DotEnvException>(() => DotEnvParser.Parse(text, TestEnvironment.Lookup()));

        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Equal(message, error.Message);
        Assert.IsType<InterpolationException>(error.InnerException);
    }

    [Theory]
    [InlineData("A=${", 1, 3)]
    [InlineData("A=1\nB=\"ok ${C D}\"", 2, 7)]
    public void Parse_InvalidInterpolation_Throws(string text, int line, int column)
    {
        var error = Assert.Throws<DotEnvException>(() => DotEnvParser.Parse(text, TestEnvironment.Lookup()));

        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.StartsWith("invalid interpolation \"${", error.Message, StringComparison.Ordinal);
        Assert.IsType<InterpolationException>(error.InnerException);
    }

    private static string[] Sorted(string[] assignments) => [.. assignments.Order(StringComparer.Ordinal)];
}
