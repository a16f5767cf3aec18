using Autonomy.Server.Compose.Interpolation;

namespace Autonomy.Tests.Compose;

// The cases marked with a compose-go test name are transcribed from compose-go's template and interpolation tests
// (the conformance suite's "interpolate" cases); the others pin down behaviour those tests leave open.
public class InterpolatorTests
{
    [Theory]
    [InlineData("Template", "$${foo}", "${foo}")] // TestEscaped
    [InlineData("Template", "foo", "foo")] // TestSubstituteNoMatch
    [InlineData("Template", "a $ string", "a $ string")] // TestUnescaped.1
    [InlineData("Template", "^REGEX$", "^REGEX$")] // TestUnescaped.2
    [InlineData("Template", "$}", "$}")] // TestUnescaped.3
    [InlineData("Template", "$", "$")] // TestUnescaped.4
    [InlineData("Empty", "$$", "$")]
    [InlineData("Empty", "$$$$", "$$")]
    [InlineData("FooIsBarz", "$$FOO", "$FOO")]
    [InlineData("FooIsBarz", "$$$FOO", "$BARZ")]
    [InlineData("FooIsBarz", "cost: 5$", "cost: 5$")]
    [InlineData("FooIsBarz", "$1 $- $: $/ $@", "$1 $- $: $/ $@")]
    [InlineData("FooIsBarz", "$ {FOO}", "$ {FOO}")]
    [InlineData("FooIsBarz", "$\u00e9t\u00e9", "$\u00e9t\u00e9")]
    [InlineData("FooIsBarz", "}{ FOO }", "}{ FOO }")]
    public void Substitute_KeepsTextThatIsNoExpression(string environment, string template, string expected) =>
        Assert.Equal(expected, Interpolator.Substitute(template, Lookup(environment)));

    [Theory]
    [InlineData("Template", "$FOO-bar", "first-bar")] // TestNonBraced
    [InlineData("Template", "This ${missing} var", "This  var")] // TestNoValueNoDefault.1
    [InlineData("Template", "This ${BAR} var", "This  var")] // TestNoValueNoDefault.2
    [InlineData("Template", "This $FOO var", "This first var")] // TestValueNoDefault.1
    [InlineData("Template", "This ${FOO} var", "This first var")] // TestValueNoDefault.2
    [InlineData("Interpolation", "example:${USER}", "example:jenny")] // TestInterpolate.1
    [InlineData("Interpolation", "$FOO:/target", "bar:/target")] // TestInterpolate.2
    [InlineData("Interpolation", "${FOO}", "bar")] // TestInterpolate.3
    [InlineData("Interpolation", "$USER", "jenny")] // TestInterpolate.4
    [InlineData("FooIsBarz", "thing_${FOO}", "thing_BARZ")] // TestInterpolateWithDefaults
    [InlineData("Empty", "{{{ ${BAR} }}}", "{{{  }}}")] // TestValidUnexistentInterpolation.6
    [InlineData("Interpolation", "{{{ ${BAR} }}}", "{{{  }}}")] // TestValidExistentInterpolation.4
    [InlineData("Interpolation", "{{{ ${USER} }}}", "{{{ jenny }}}")] // TestValidExistentInterpolation.8
    [InlineData("Interpolation", "$count", "5")] // TestInterpolateWithCast.1
    [InlineData("Interpolation", "$REQUIRED", "true")] // TestInterpolateWithCast.2
    [InlineData("FooIsBarz", "$FOO_BAR", "")]
    [InlineData("FooIsBarz", "$FOO.bar", "BARZ.bar")]
    [InlineData("FooIsBarz", "$FOO$FOO", "BARZBARZ")]
    [InlineData("FooIsBarz", "${FOO}_BAR", "BARZ_BAR")]
    [InlineData("FooIsBarz", "$foo", "")]
    [InlineData("Mixed", "$_under_1 ${lower} ${_under_1}", "u l u")]
    [InlineData("FooIsBarz", "line1 $FOO\nline2 ${FOO}", "line1 BARZ\nline2 BARZ")]
    public void Substitute_ReplacesVariables(string environment, string template, string expected) =>
        Assert.Equal(expected, Interpolator.Substitute(template, Lookup(environment)));

    [Theory]
    [InlineData("Template", "ok ${missing:-def}", "ok def")] // TestNoValueWithDefault.1
    [InlineData("Template", "ok ${missing-def}", "ok def")] // TestNoValueWithDefault.2
    [InlineData("Template", "ok ${BAR:-def}", "ok def")] // TestEmptyValueWithSoftDefault
    [InlineData("Template", "ok ${FOO:-def}", "ok first")] // TestValueWithSoftDefault
    [InlineData("Template", "ok ${BAR-def}", "ok ")] // TestEmptyValueWithHardDefault
    [InlineData("Template", "ok ${BAR:-/non:-alphanumeric}", "ok /non:-alphanumeric")] // TestNonAlphanumericDefault
    [InlineData("Template", "-ok ${BAR:-defaultValue}", "-ok defaultValue")] // TestInterpolationExternalInterference.1
    [InlineData("Template", "+ok ${UNSET:-${BAR-defaultValue}}", "+ok ")] // TestInterpolationExternalInterference.2
    [InlineData("Template", "-ok ${FOO:-defaultValue}", "-ok first")] // TestInterpolationExternalInterference.3
    [InlineData("Template", ":-ok ${UNSET-defaultValue}", ":-ok defaultValue")] // TestInterpolationExternalInterference.4
    [InlineData("Template", ":-ok ${BAR-defaultValue}", ":-ok ")] // TestInterpolationExternalInterference.5
    [InlineData("Template", ":?ok ${BAR-defaultValue}", ":?ok ")] // TestInterpolationExternalInterference.6
    [InlineData("Template", ":?ok ${BAR:-defaultValue}", ":?ok defaultValue")] // TestInterpolationExternalInterference.7
    [InlineData("Template", ":+ok ${BAR:-defaultValue}", ":+ok defaultValue")] // TestInterpolationExternalInterference.8
    [InlineData("Template", "+ok ${BAR-defaultValue}", "+ok ")] // TestInterpolationExternalInterference.9
    [InlineData("Template", "?ok ${BAR:-defaultValue}", "?ok defaultValue")] // TestInterpolationExternalInterference.10
    [InlineData("Template", "ok ${SUBDOMAIN:-redis}.${FOO:?}", "ok redis.first")] // TestSubstituteWithReplacementFunc
    [InlineData("Empty", "{{{ ${FOO:-foo_} }}}", "{{{ foo_ }}}")] // TestValidUnexistentInterpolation.1
    [InlineData("Empty", "{{{ ${FOO:-foo-bar-value} }}}", "{{{ foo-bar-value }}}")] // TestValidUnexistentInterpolation.2
    [InlineData("Empty", "{{{ ${FOO:-foo?bar?value} }}}", "{{{ foo?bar?value }}}")] // TestValidUnexistentInterpolation.3
    [InlineData("Empty", "{{{ ${FOO:-foo:?bar:?value} }}}", "{{{ foo:?bar:?value }}}")] // TestValidUnexistentInterpolation.4
    [InlineData("Empty", "{{{ ${FOO:-foo} ${BAR:-DEFAULT_VALUE} }}}", "{{{ foo DEFAULT_VALUE }}}")] // TestValidUnexistentInterpolation.5
    [InlineData("Empty", "${FOO:-baz} }}}", "baz }}}")] // TestValidUnexistentInterpolation.7
    [InlineData("Empty", "${FOO-baz} }}}", "baz }}}")] // TestValidUnexistentInterpolation.8
    [InlineData("Interpolation", "{{{ ${FOO:-foo_} }}}", "{{{ bar }}}")] // TestValidExistentInterpolation.1
    [InlineData("Interpolation", "{{{ ${FOO:-foo-bar-value} }}}", "{{{ bar }}}")] // TestValidExistentInterpolation.2
    [InlineData("Interpolation", "{{{ ${FOO:-foo} ${BAR:-DEFAULT_VALUE} }}}", "{{{ bar DEFAULT_VALUE }}}")] // TestValidExistentInterpolation.3
    [InlineData("Interpolation", "${FOO:-baz} }}}", "bar }}}")] // TestValidExistentInterpolation.5
    [InlineData("Interpolation", "${FOO-baz} }}}", "bar }}}")] // TestValidExistentInterpolation.6
    [InlineData("Interpolation", "{{{ ${FOO:-foo} ${USER:-bar} }}}", "{{{ bar jenny }}}")] // TestValidExistentInterpolation.7
    public void Substitute_AppliesDefaults(string environment, string template, string expected) =>
        Assert.Equal(expected, Interpolator.Substitute(template, Lookup(environment)));

    [Theory]
    [InlineData("Template", "ok ${UNSET_VAR:+presence_value}", "ok ")] // TestPresentValueWithUnset
    [InlineData("Template", "ok ${UNSET_VAR+presence_value}", "ok ")] // TestPresentValueWithUnset2
    [InlineData("Template", "ok ${FOO:+presence_value}", "ok presence_value")] // TestPresentValueWithNonEmpty
    [InlineData("Template", "ok ${FOO+presence_value}", "ok presence_value")] // TestPresentValueAndNonEmptyWithNonEmpty
    [InlineData("Template", "ok ${BAR+presence_value}", "ok presence_value")] // TestPresentValueWithSet
    [InlineData("Template", "ok ${BAR:+presence_value}", "ok ")] // TestPresentValueAndNotEmptyWithSet
    public void Substitute_AppliesAlternatives(string environment, string template, string expected) =>
        Assert.Equal(expected, Interpolator.Substitute(template, Lookup(environment)));

    [Theory]
    [InlineData("Template", "ok ${FOO:?err}", "ok first")] // TestDefaultsForMandatoryVariables.1
    [InlineData("Template", "ok ${FOO?err}", "ok first")] // TestDefaultsForMandatoryVariables.2
    [InlineData("Template", "ok ${BAR?err}", "ok ")] // TestDefaultsForMandatoryVariables.3
    public void Substitute_RequiredVariableWithValue_GivesTheValue(string environment, string template, string expected) =>
        Assert.Equal(expected, Interpolator.Substitute(template, Lookup(environment)));

    // The operator is the one right after the name; operator characters later in the value are plain text.
    [Theory]
    [InlineData("Template", "${UNSET_VAR-myerror?msg}", "myerror?msg")] // TestPrecedence.2
    [InlineData("Template", "${FOO?bar-baz}", "first")] // TestPrecedence.3
    [InlineData("Template", "${BAR:-default_value_for_empty_var}", "default_value_for_empty_var")] // TestPrecedence.4
    [InlineData("Template", "${UNSET_VAR-default_value_for_unset_var}", "default_value_for_unset_var")] // TestPrecedence.5
    [InlineData("Empty", "${VARNAME:-value}", "value")] // TestSubstitutionFunctionChoice.5
    [InlineData("Empty", "${VARNAME-va:-lu:?e}", "va:-lu:?e")] // TestSubstitutionFunctionChoice.6
    [InlineData("Empty", "${VARNAME-va+lu?e}", "va+lu?e")] // TestSubstitutionFunctionChoice.7
    [InlineData("Empty", "${VARNAME-va?lu+e}", "va?lu+e")] // TestSubstitutionFunctionChoice.8
    [InlineData("VarnameIsX", "${VARNAME:+va:?lu:-e}", "va:?lu:-e")] // TestSubstitutionFunctionChoice.9
    [InlineData("VarnameIsX", "${VARNAME+va:+lue}", "va:+lue")] // TestSubstitutionFunctionChoice.10
    [InlineData("VarnameIsX", "${VARNAME+va?lu-e}", "va?lu-e")] // TestSubstitutionFunctionChoice.11
    [InlineData("VarnameIsX", "${VARNAME+va-lu?e}", "va-lu?e")] // TestSubstitutionFunctionChoice.12
    public void Substitute_UsesTheOperatorAfterTheName(string environment, string template, string expected) =>
        Assert.Equal(expected, Interpolator.Substitute(template, Lookup(environment)));

    [Theory]
    [InlineData("Template", "${A:+${A},}B", "B")] // TestLazyDefaultDoesNotWarn
    [InlineData("Template", "${A:-${B}}", "")] // TestLazyDefaultWarnsWhenUsed
    [InlineData("AIsValue", "${A?${B}}", "value")] // TestLazyRequiredMessageDoesNotWarn
    [InlineData("Template", "ok ${UNSET_VAR-$FOO}", "ok first")] // TestDefaultsWithNestedExpansion.1
    [InlineData("Template", "ok ${UNSET_VAR-${FOO}}", "ok first")] // TestDefaultsWithNestedExpansion.2
    [InlineData("Template", "ok ${UNSET_VAR-${FOO} ${FOO}}", "ok first first")] // TestDefaultsWithNestedExpansion.3
    [InlineData("Template", "ok ${BAR:-$FOO}", "ok first")] // TestDefaultsWithNestedExpansion.4
    [InlineData("Template", "ok ${BAR:-${FOO}}", "ok first")] // TestDefaultsWithNestedExpansion.5
    [InlineData("Template", "ok ${BAR:-${FOO} ${FOO}}", "ok first first")] // TestDefaultsWithNestedExpansion.6
    [InlineData("Template", "ok ${BAR+$FOO}", "ok first")] // TestDefaultsWithNestedExpansion.7
    [InlineData("Template", "ok ${BAR+$FOO ${FOO:+second}}", "ok first second")] // TestDefaultsWithNestedExpansion.8
    [InlineData("Empty", "${FOO:-${BAR:-${ZOT:-qix}}}", "qix")] // TestValidUnexistentInterpolation.15
    [InlineData("Empty", "${FOO:-${BAR:-x}_test_${BAR:-y}}", "x_test_y")] // TestValidUnexistentInterpolation.16
    [InlineData("Empty", "${FOO:-${BAR:-x}_test}", "x_test")] // TestValidUnexistentInterpolation.17
    [InlineData("Empty", "${FOO:-${BAR:-${ZOT:-x}}_test}", "x_test")] // TestValidUnexistentInterpolation.18
    public void Substitute_ResolvesNestedExpressions(string environment, string template, string expected) =>
        Assert.Equal(expected, Interpolator.Substitute(template, Lookup(environment)));

    // A value runs to its matching '}', so a default may hold braces (JSON) and text may follow the expression.
    [Theory]
    [InlineData("Template", "ok ${missing:-{\"json\":1}}", "ok {\"json\":1}")] // TestNoValueWithCurlyBracesDefault.1
    [InlineData("Template", "ok ${missing-{\"json\":1}}", "ok {\"json\":1}")] // TestNoValueWithCurlyBracesDefault.2
    [InlineData("Template", "ok ${JSON:-{\"json\":1}}", "ok {\"json\":2}")] // TestValueWithCurlyBracesDefault.1
    [InlineData("Template", "ok ${JSON-{\"json\":1}}", "ok {\"json\":2}")] // TestValueWithCurlyBracesDefault.2
    [InlineData("Empty", "${A:-{}}", "{}")]
    [InlineData("Empty", "${A:-x}}", "x}")]
    [InlineData("Empty", "${A:-a}b${C:-c}", "abc")]
    [InlineData("Empty", "${A:-{\"a\":{\"b\":1}}}", "{\"a\":{\"b\":1}}")]
    [InlineData("Empty", "${A:-x} and {y}", "x and {y}")]
    [InlineData("Empty", "${A:-x}\n{y}", "x\n{y}")]
    public void Substitute_FindsTheEndOfAValueWithBraces(string environment, string template, string expected) =>
        Assert.Equal(expected, Interpolator.Substitute(template, Lookup(environment)));

    // null value: the variable is unset.
    [Theory]
    [InlineData("${V:-d}", null, "d")]
    [InlineData("${V:-d}", "", "d")]
    [InlineData("${V:-d}", "v", "v")]
    [InlineData("${V-d}", null, "d")]
    [InlineData("${V-d}", "", "")]
    [InlineData("${V-d}", "v", "v")]
    [InlineData("${V:+a}", null, "")]
    [InlineData("${V:+a}", "", "")]
    [InlineData("${V:+a}", "v", "a")]
    [InlineData("${V+a}", null, "")]
    [InlineData("${V+a}", "", "a")]
    [InlineData("${V+a}", "v", "a")]
    [InlineData("${V?e}", "", "")]
    [InlineData("${V?e}", "v", "v")]
    [InlineData("${V:?e}", "v", "v")]
    [InlineData("${V}", null, "")]
    [InlineData("${V}", "", "")]
    [InlineData("$V", "v", "v")]
    public void Substitute_TellsUnsetFromEmpty(string template, string? value, string expected) =>
        Assert.Equal(expected, Interpolator.Substitute(template, name => name == "V" ? value : null));

    [Theory]
    [InlineData("${V:?e}", null)]
    [InlineData("${V:?e}", "")]
    [InlineData("${V?e}", null)]
    public void Substitute_RequiredVariableUnsetOrEmpty_Throws(string template, string? value)
    {
        var error = Assert.Throws<InterpolationException>(() => Interpolator.Substitute(template, name => name == "V" ? value : null));
        Assert.Equal("required variable V is missing a value: e", error.Message);
    }

    [Theory]
    [InlineData("Template", "not ok ${UNSET_VAR:?Mandatory Variable Unset}", 7, "UNSET_VAR", "required variable UNSET_VAR is missing a value: Mandatory Variable Unset")] // TestMandatoryVariableErrors.1
    [InlineData("Template", "not ok ${BAR:?Mandatory Variable Empty}", 7, "BAR", "required variable BAR is missing a value: Mandatory Variable Empty")] // TestMandatoryVariableErrors.2
    [InlineData("Template", "not ok ${UNSET_VAR:?}", 7, "UNSET_VAR", "required variable UNSET_VAR is missing a value")] // TestMandatoryVariableErrors.3
    [InlineData("Template", "not ok ${UNSET_VAR?Mandatory Variable Unset}", 7, "UNSET_VAR", "required variable UNSET_VAR is missing a value: Mandatory Variable Unset")] // TestMandatoryVariableErrors.4
    [InlineData("Template", "not ok ${UNSET_VAR?}", 7, "UNSET_VAR", "required variable UNSET_VAR is missing a value")] // TestMandatoryVariableErrors.5
    [InlineData("Template", "not ok ${UNSET_VAR:?Mandatory Variable ${FOO}}", 7, "UNSET_VAR", "required variable UNSET_VAR is missing a value: Mandatory Variable first")] // TestMandatoryVariableErrorsWithNestedExpansion.1
    [InlineData("Template", "not ok ${UNSET_VAR?Mandatory Variable ${FOO}}", 7, "UNSET_VAR", "required variable UNSET_VAR is missing a value: Mandatory Variable first")] // TestMandatoryVariableErrorsWithNestedExpansion.2
    [InlineData("Template", "${UNSET_VAR?bar-baz}", 0, "UNSET_VAR", "required variable UNSET_VAR is missing a value: bar-baz")] // TestPrecedence.1
    [InlineData("Empty", "${VARNAME:?val?ue}", 0, "VARNAME", "required variable VARNAME is missing a value: val?ue")] // TestSubstitutionFunctionChoice.1
    [InlineData("Empty", "${VARNAME?val:?ue}", 0, "VARNAME", "required variable VARNAME is missing a value: val:?ue")] // TestSubstitutionFunctionChoice.2
    [InlineData("Empty", "${VARNAME?va-lu+e:?e}", 0, "VARNAME", "required variable VARNAME is missing a value: va-lu+e:?e")] // TestSubstitutionFunctionChoice.3
    [InlineData("Empty", "${VARNAME?va+lu-e:?e}", 0, "VARNAME", "required variable VARNAME is missing a value: va+lu-e:?e")] // TestSubstitutionFunctionChoice.4
    [InlineData("Empty", "{{{ ${FOO:?foo_} }}}", 4, "FOO", "required variable FOO is missing a value: foo_")] // TestValidUnexistentInterpolation.9
    [InlineData("Empty", "{{{ ${FOO:?foo-bar-value} }}}", 4, "FOO", "required variable FOO is missing a value: foo-bar-value")] // TestValidUnexistentInterpolation.10
    [InlineData("Empty", "{{{ ${FOO:?foo} ${BAR:-DEFAULT_VALUE} }}}", 4, "FOO", "required variable FOO is missing a value: foo")] // TestValidUnexistentInterpolation.11
    [InlineData("Empty", "${FOO:?foo} ${BAR:?bar}", 0, "FOO", "required variable FOO is missing a value: foo")] // TestValidUnexistentInterpolation.12
    [InlineData("Empty", "${FOO:?baz} }}}", 0, "FOO", "required variable FOO is missing a value: baz")] // TestValidUnexistentInterpolation.13
    [InlineData("Empty", "${FOO?baz} }}}", 0, "FOO", "required variable FOO is missing a value: baz")] // TestValidUnexistentInterpolation.14
    [InlineData("FooIsBarz", "a\n${FOO}\n${NEED:?set NEED in .env}", 9, "NEED", "required variable NEED is missing a value: set NEED in .env")]
    [InlineData("Empty", "x ${A:-${B:?no B}}", 7, "B", "required variable B is missing a value: no B")]
    [InlineData("Empty", "${A:-${B:-${C?deep}}}", 10, "C", "required variable C is missing a value: deep")]
    [InlineData("Empty", "${A?  spaces kept  }", 0, "A", "required variable A is missing a value:   spaces kept  ")]
    public void Substitute_RequiredVariableMissing_Throws(
        string environment, string template, int offset, string variable, string message)
    {
        var error = Assert.Throws<InterpolationException>(() => Interpolator.Substitute(template, Lookup(environment)));
        Assert.Equal(message, error.Message);
        Assert.Equal(offset, error.Offset);
        Assert.Equal(variable, error.Variable);
    }

    [Theory]
    [InlineData("${")] // TestInvalid.1, interpolation TestInvalidInterpolation
    [InlineData("${}")] // TestInvalid.2
    [InlineData("${ }")] // TestInvalid.3
    [InlineData("${ foo}")] // TestInvalid.4
    [InlineData("${foo }")] // TestInvalid.5
    [InlineData("${foo!}")] // TestInvalid.6
    public void Substitute_InvalidSyntax_Throws(string template)
    {
        var error = Assert.Throws<InterpolationException>(() => Interpolator.Substitute(template, Lookup("Template")));
        Assert.Equal(0, error.Offset);
        Assert.StartsWith($"invalid interpolation \"{template}\": ", error.Message);
    }

    [Theory]
    [InlineData("${", 0, null, "must be followed by a variable name")]
    [InlineData("${}", 0, null, "the variable name is missing")]
    [InlineData("${ }", 0, null, "not a space")]
    [InlineData("${1A}", 0, null, "start with a letter or '_', not '1'")]
    [InlineData("ok ${FOO", 3, "FOO", "the closing \"}\" is missing; write ${FOO}")]
    [InlineData("${FOO bar}", 0, "FOO", "a space cannot follow the variable name FOO")]
    [InlineData("${foo!}", 0, "foo", "'!' cannot follow the variable name foo")]
    [InlineData("${FOO:x}", 0, "FOO", "':' cannot follow the variable name FOO")]
    [InlineData("${FOO[0]}", 0, "FOO", "'[' cannot follow the variable name FOO")]
    [InlineData("${FOO:-bar", 0, "FOO", "no closing \"}\" on its line; write ${FOO:-value} on one line")]
    [InlineData("${FOO:-a\nb}", 0, "FOO", "no closing \"}\" on its line")]
    [InlineData("$A ${B:-${}}", 8, null, "the variable name is missing")]
    [InlineData("${A:?${}}", 5, null, "the variable name is missing")]
    [InlineData("${A:-x} ${", 8, null, "must be followed by a variable name")]
    public void Substitute_InvalidSyntax_SaysWhereAndHowToFixIt(string template, int offset, string? variable, string messagePart)
    {
        var error = Assert.Throws<InterpolationException>(() => Interpolator.Substitute(template, _ => null));
        Assert.Equal(offset, error.Offset);
        Assert.Equal(variable, error.Variable);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Substitute_InvalidSyntax_QuotesALongExpressionShortened()
    {
        var template = "${FOO bar " + new string('x', 100) + "}";

        var error = Assert.Throws<InterpolationException>(() => Interpolator.Substitute(template, _ => null));

        Assert.StartsWith("invalid interpolation \"${FOO bar xxx", error.Message, StringComparison.Ordinal);
        Assert.Contains("...\": ", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 200);
    }

    // A default, an alternative or an error message is resolved only when it is used: an error inside an unused one
    // does not fail, and its variables are not looked up.
    [Theory]
    [InlineData("${A:-${B:?unused}}", "a")]
    [InlineData("${A-${}}", "a")]
    [InlineData("${A?${B:?unused}}", "a")]
    [InlineData("${A:?${B:?unused}}", "a")]
    [InlineData("${U:+${B:?unused}}", "")]
    [InlineData("${U+${B:?unused}}", "")]
    public void Substitute_ResolvesValuesOnlyWhenUsed(string template, string expected)
    {
        var asked = new List<string>();
        string? Lookup(string name)
        {
            asked.Add(name);
            return name == "A" ? "a" : null;
        }

        Assert.Equal(expected, Interpolator.Substitute(template, Lookup));
        Assert.DoesNotContain("B", asked);
    }

    [Fact]
    public void Substitute_RequiredMessageWithAnError_ReportsThatError()
    {
        var error = Assert.Throws<InterpolationException>(() => Interpolator.Substitute("${A:?set ${B:?B too}}", _ => null));

        Assert.Equal("B", error.Variable);
        Assert.Equal(9, error.Offset);
    }

    [Fact]
    public void Substitute_ValuesAreNotInterpolatedAgain()
    {
        var result = Interpolator.Substitute("${A}", name => name == "A" ? "${B:?never} $$" : "b");

        Assert.Equal("${B:?never} $$", result);
    }

    [Fact]
    public void Substitute_TemplateWithoutDollar_IsReturnedUnchanged()
    {
        const string template = "plain {text}";

        Assert.Same(template, Interpolator.Substitute(template, _ => throw new InvalidOperationException("no lookup expected")));
    }

    // The environments of the transcribed compose-go tests, plus a few of these tests' own.
    private static Func<string, string?> Lookup(string environment) => environment switch
    {
        "Template" => TestEnvironment.Lookup("FOO=first", "BAR=", "JSON={\"json\":2}"),
        "Interpolation" => TestEnvironment.Lookup("USER=jenny", "FOO=bar", "count=5", "REQUIRED=true"),
        "AIsValue" => TestEnvironment.Lookup("A=value"),
        "VarnameIsX" => TestEnvironment.Lookup("VARNAME=x"),
        "FooIsBarz" => TestEnvironment.Lookup("FOO=BARZ"),
        "Mixed" => TestEnvironment.Lookup("_under_1=u", "lower=l"),
        "Empty" => TestEnvironment.Lookup(),
        _ => throw new ArgumentOutOfRangeException(nameof(environment), environment, "unknown test environment"),
    };
}
