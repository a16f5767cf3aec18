using Autonomy.Server.Runtime.Dockerfile;

namespace Autonomy.Tests.Runtime.Dockerfile;

/// <summary>The Dockerfile is read as Docker's parser (BuildKit) reads it, for what decides how the image runs.</summary>
public sealed class DockerfileReaderTests
{
    private static DockerfileInfo Read(string text, Dictionary<string, string?>? args = null, string? target = null) =>
        DockerfileReader.Read(text, "Dockerfile", args, target);

    private static DockerfileException Fails(string text, Dictionary<string, string?>? args = null, string? target = null) =>
        Assert.Throws<DockerfileException>(() => DockerfileReader.Read(text, "Dockerfile", args, target));

    private static Dictionary<string, string> EnvOf(DockerfileInfo info) => info.Env.ToDictionary(e => e.Name, e => e.Value);

    [Fact]
    public void ArticleDockerfileIsReadDespiteItsMalformedCopyLines()
    {
        var info = Read("""
            FROM python:3.7-slim-buster
            WORKDIR /app
            COPY requirements.txt.
            RUN pip install -r requirements.txt
            COPY..
            ENV PORT=8080
            EXPOSE $PORT
            CMD ["python", "app.py"]
            """);

        Assert.Equal("python:3.7-slim-buster", info.BaseImage);
        Assert.Equal("/app", info.WorkDir);
        Assert.Equal([new DockerfileEnv("PORT", "8080", 6)], info.Env);
        Assert.Equal(["8080"], info.Expose);
        Assert.Null(info.Entrypoint);
        Assert.NotNull(info.Cmd);
        Assert.Equal(["python", "app.py"], info.Cmd.Words);
        Assert.False(info.Cmd.ShellForm);
        Assert.Equal(8, info.Cmd.Line);

        Assert.Equal([3, 5], info.Warnings.Select(w => w.Line));
        Assert.Contains("'requirements.txt.'", info.Warnings[0].Message);
        Assert.Contains("COPY requirements.txt .", info.Warnings[0].Message);
        Assert.Contains("'COPY..' is not an instruction", info.Warnings[1].Message);
        Assert.Contains("COPY . .", info.Warnings[1].Message);
        Assert.All(info.Warnings, w => Assert.Contains("Autonomy does not run COPY", w.Message));
    }

    [Fact]
    public void InstructionsAreCaseInsensitive()
    {
        var info = Read("""
            from alpine
            Workdir /srv
            env A=1
            cmd ["run"]
            """);
        Assert.Equal("/srv", info.WorkDir);
        Assert.Equal("1", EnvOf(info)["A"]);
        Assert.Equal(["run"], info.Cmd!.Words);
    }

    [Fact]
    public void CommentsAndBlankLinesAreSkippedButHashInsideAnInstructionIsText()
    {
        var info = Read("""
            # a comment
               # an indented comment

            FROM alpine
            CMD echo hi # not a comment
            """);
        Assert.Equal(["echo hi # not a comment"], info.Cmd!.Words);
        Assert.True(info.Cmd.ShellForm);
        Assert.Equal(5, info.Cmd.Line);
    }

    [Fact]
    public void ContinuationsJoinLinesEvenWithBlanksAfterTheEscape()
    {
        var info = Read("FROM alpine\nENV A=1 \\\n    B=2\nCMD echo a \\   \t\n  b\nEXPOSE 1\n");
        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" }, EnvOf(info));
        // The escape and what follows it go; the next line is appended as it is, its indentation included.
        Assert.Equal(["echo a   b"], info.Cmd!.Words);
        Assert.Equal(4, info.Cmd.Line);
        Assert.Equal(["1"], info.Expose);
    }

    [Fact]
    public void CommentLinesInsideAContinuationAreSkipped()
    {
        var info = Read("""
            FROM alpine
            ENV A=1 \
                # explains B
            # and at column one
                B=2
            """);
        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" }, EnvOf(info));
    }

    [Fact]
    public void EmptyContinuationLinesAreSkippedWithAWarning()
    {
        var info = Read("FROM alpine\nENV A=1 \\\n\n   \n    B=2\nCMD [\"x\"]\n");
        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" }, EnvOf(info));
        var warning = Assert.Single(info.Warnings);
        Assert.Equal(2, warning.Line);
        Assert.Contains("empty line", warning.Message);
        Assert.Equal(6, info.Cmd!.Line);
    }

    [Fact]
    public void AnEscapedEscapeAtTheEndIsNotAContinuation()
    {
        var info = Read("""
            FROM alpine
            ENV A=x\\
            ENV B=2
            """);
        Assert.Equal(new Dictionary<string, string> { ["A"] = "x\\", ["B"] = "2" }, EnvOf(info));
    }

    [Fact]
    public void BacktickEscapeDirectiveMakesBackslashLiteral()
    {
        var info = Read("""
            # escape=`
            FROM mcr.microsoft.com/windows/nanoserver
            ENV TOOLS=C:\tools `
                QUOTED="a`"b"
            CMD ["C:\\app.exe"]
            """);
        Assert.Equal('`', info.EscapeCharacter);
        Assert.Equal(new Dictionary<string, string> { ["TOOLS"] = "C:\\tools", ["QUOTED"] = "a\"b" }, EnvOf(info));
        Assert.Equal(["C:\\app.exe"], info.Cmd!.Words);
    }

    [Fact]
    public void DirectivesCountOnlyAtTheVeryTop()
    {
        var info = Read("""
            # syntax=docker/dockerfile:1
            # a comment ends the directives
            # escape=`
            FROM alpine
            ENV P=C:\tools
            """);
        Assert.Equal("docker/dockerfile:1", info.Syntax);
        Assert.Equal('\\', info.EscapeCharacter);
        Assert.Equal("C:tools", EnvOf(info)["P"]);
    }

    [Fact]
    public void RepeatedOrInvalidEscapeDirectiveIsAnError()
    {
        var repeated = Fails("# escape=`\n# escape=`\nFROM alpine\n");
        Assert.Equal((2, 1), (repeated.Line, repeated.Column));
        Assert.Contains("only one '# escape=' parser directive", repeated.Message);

        var invalid = Fails("#escape = x\nFROM alpine\n");
        Assert.Equal((1, 11), (invalid.Line, invalid.Column));
        Assert.Contains("Docker accepts only \\ (the default) and `", invalid.Message);
        Assert.StartsWith("Dockerfile:1:11: ", invalid.Message);
    }

    [Fact]
    public void HeredocBodiesAreSkipped()
    {
        var info = Read("""
            FROM alpine
            RUN <<EOF
            apt-get update
            CMD this is not an instruction
            EOF
            COPY <<"CONF" /etc/app.conf
            key=value
            CONF
            RUN cat <<A && cat <<-B
            first
            A
            	second
            	B
            CMD ["app"]
            """);
        Assert.Equal(["app"], info.Cmd!.Words);
        Assert.Equal(14, info.Cmd.Line);
        Assert.Empty(info.Warnings);
    }

    [Fact]
    public void ExecFormRunHasNoHeredoc()
    {
        var info = Read("""
            FROM alpine
            RUN ["sh", "-c", "cat <<EOF"]
            CMD ["app"]
            """);
        Assert.Equal(3, info.Cmd!.Line);
    }

    [Fact]
    public void UnterminatedHeredocIsAnError()
    {
        var error = Fails("""
            FROM alpine
            RUN <<EOF
            echo hi
            CMD ["app"]
            """);
        Assert.Equal((2, 1), (error.Line, error.Column));
        Assert.Contains("never closed", error.Message);
        Assert.Contains("'EOF'", error.Message);
    }

    [Fact]
    public void ShellFormIsTheTextAndRunsWithTheShell()
    {
        var info = Read("""
            FROM alpine
            CMD   python app.py --port 8080
            """);
        Assert.True(info.Cmd!.ShellForm);
        Assert.Equal(["python app.py --port 8080"], info.Cmd.Words);
        Assert.Equal(["/bin/sh", "-c", "python app.py --port 8080"], info.Cmd.Argv);
    }

    [Fact]
    public void ExecFormIsJsonWithItsEscapes()
    {
        var info = Read("""
            FROM alpine
            CMD [ "echo", "a\"b", "\u00e9", "" ]
            """);
        Assert.False(info.Cmd!.ShellForm);
        Assert.Equal(["echo", "a\"b", "é", ""], info.Cmd.Words);
        Assert.Equal(info.Cmd.Words, info.Cmd.Argv);
    }

    [Fact]
    public void InvalidJsonFallsBackToShellFormWithAWarning()
    {
        var info = Read("""
            FROM alpine
            CMD ['python', 'app.py']
            """);
        Assert.True(info.Cmd!.ShellForm);
        Assert.Equal(["['python', 'app.py']"], info.Cmd.Words);
        var warning = Assert.Single(info.Warnings);
        Assert.Equal((2, 5), (warning.Line, warning.Column));
        Assert.Contains("not valid JSON", warning.Message);
    }

    [Fact]
    public void JsonWithNonStringsIsAnErrorForCmdAndAWarningForRun()
    {
        var error = Fails("""
            FROM alpine
            CMD ["python", 3]
            """);
        Assert.Equal((2, 5), (error.Line, error.Column));
        Assert.Contains("something other than strings", error.Message);

        var info = Read("""
            FROM alpine
            RUN ["make", 1]
            CMD ["x"]
            """);
        Assert.Equal(2, Assert.Single(info.Warnings).Line);
    }

    [Fact]
    public void EmptyCmdIsAShellRunningNothingAndEmptyExecEntrypointClearsIt()
    {
        var info = Read("""
            FROM alpine
            CMD
            """);
        Assert.Equal(["/bin/sh", "-c", ""], info.Cmd!.Argv);

        var cleared = Read("""
            FROM alpine AS base
            ENTRYPOINT ["/entry"]
            FROM base
            ENTRYPOINT []
            """);
        Assert.Null(cleared.Entrypoint);
    }

    [Fact]
    public void ShellInstructionAppliesToLaterShellFormsOnly()
    {
        var info = Read("""
            FROM alpine
            CMD echo one
            SHELL ["/bin/bash", "-o", "pipefail", "-c"]
            ENTRYPOINT echo two
            """);
        Assert.Equal(["/bin/bash", "-o", "pipefail", "-c"], info.Shell);
        Assert.Equal(["/bin/sh", "-c", "echo one"], info.Cmd!.Argv);
        Assert.Equal(["/bin/bash", "-o", "pipefail", "-c", "echo two"], info.Entrypoint!.Argv);
    }

    [Fact]
    public void ShellMustBeJson()
    {
        var error = Fails("""
            FROM alpine
            SHELL /bin/bash -c
            """);
        Assert.Equal((2, 7), (error.Line, error.Column));
        Assert.Contains("SHELL [\"/bin/bash\", \"-c\"]", error.Message);
    }

    [Fact]
    public void EnvTakesSeveralPairsWithQuotesAndEscapes()
    {
        var info = Read("""
            FROM alpine
            ENV A=1 B="v 2" C='single $A' D=a\ b E="say \"hi\"" F="c\d" G="\$HOME" H=
            """);
        Assert.Equal(new Dictionary<string, string>
        {
            ["A"] = "1",
            ["B"] = "v 2",
            ["C"] = "single $A",
            ["D"] = "a b",
            ["E"] = "say \"hi\"",
            ["F"] = "c\\d",
            ["G"] = "$HOME",
            ["H"] = "",
        }, EnvOf(info));
        Assert.Equal(["A", "B", "C", "D", "E", "F", "G", "H"], info.Env.Select(e => e.Name));
    }

    [Fact]
    public void LegacyEnvTakesTheRestOfTheLine()
    {
        var info = Read("""
            FROM alpine
            ENV MSG hello   world
            ENV QUOTED "a  b" c
            """);
        Assert.Equal("hello   world", EnvOf(info)["MSG"]);
        Assert.Equal("a  b c", EnvOf(info)["QUOTED"]);
    }

    [Fact]
    public void EnvValuesSeeOnlyVariablesFromBeforeTheInstruction()
    {
        var info = Read("""
            FROM alpine
            ENV A=1
            ENV A=2 B=$A C=${A}x
            ENV D=$A
            """);
        Assert.Equal(new Dictionary<string, string> { ["A"] = "2", ["B"] = "1", ["C"] = "1x", ["D"] = "2" }, EnvOf(info));
    }

    [Fact]
    public void EnvSetAgainKeepsItsPositionAndTakesTheNewLine()
    {
        var info = Read("""
            FROM alpine
            ENV A=1 B=2
            ENV A=3
            """);
        Assert.Equal([new DockerfileEnv("A", "3", 3), new DockerfileEnv("B", "2", 2)], info.Env);
    }

    [Fact]
    public void SubstitutionsFollowDockerShellWordRules()
    {
        var info = Read("""
            FROM alpine
            ENV SET=value EMPTY= FILE=archive.tar.gz PATHS=/a/b/c
            ENV D1=${UNSET:-dflt} D2=${EMPTY:-dflt} D3=${EMPTY-dflt} D4=${SET:-dflt} \
                P1=${UNSET:+alt} P2=${EMPTY:+alt} P3=${EMPTY+alt} P4=${SET:+alt} \
                S1=${FILE%.*} S2=${FILE%%.*} S3=${FILE#*.} S4=${FILE##*.} \
                R1=${PATHS/\//:} R2=${PATHS//\//:} \
                N=${UNSET:-${SET}} M=$SET$SET L=$ Q="${SET:-a b}"
            """);
        var env = EnvOf(info);
        Assert.Equal(("dflt", "dflt", "", "value"), (env["D1"], env["D2"], env["D3"], env["D4"]));
        Assert.Equal(("", "", "alt", "alt"), (env["P1"], env["P2"], env["P3"], env["P4"]));
        Assert.Equal(("archive.tar", "archive", "tar.gz", "gz"), (env["S1"], env["S2"], env["S3"], env["S4"]));
        Assert.Equal((":a/b/c", ":a:b:c"), (env["R1"], env["R2"]));
        Assert.Equal(("value", "valuevalue", "$", "value"), (env["N"], env["M"], env["L"], env["Q"]));
    }

    [Fact]
    public void RequiredVariableWithoutValueIsAnErrorAtTheWord()
    {
        var error = Fails("""
            FROM alpine
            ENV A="${B:?B must be set}"
            """);
        Assert.Equal((2, 7), (error.Line, error.Column));
        Assert.Contains("B: B must be set", error.Message);
        Assert.Contains("build.args", error.Message);
    }

    [Fact]
    public void UnquotedSpacesSplitEnvPairsAsInDocker()
    {
        var error = Fails("""
            FROM alpine
            ENV A=${B:-x y}
            """);
        Assert.Equal((2, 14), (error.Line, error.Column));
        Assert.Contains("'y}' has no '='", error.Message);
    }

    [Fact]
    public void UnclosedBraceIsAnError()
    {
        var error = Fails("""
            FROM alpine
            WORKDIR /app/${NAME
            """);
        Assert.Equal((2, 9), (error.Line, error.Column));
        Assert.Contains("missing '}'", error.Message);
    }

    [Fact]
    public void ReferenceToAVariableNobodySetsExpandsToNothingWithAWarning()
    {
        var info = Read("""
            FROM python:3.12
            ENV APP_HOME=$HOME/app PATH=/opt/venv/bin:$PATH
            """);
        Assert.Equal("/app", EnvOf(info)["APP_HOME"]);
        // PATH is always set in Docker (to its default when the image has none), so it is not reported.
        Assert.Equal("/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", EnvOf(info)["PATH"]);
        var warning = Assert.Single(info.Warnings);
        Assert.Contains("$HOME expands to nothing", warning.Message);
        Assert.Contains("python:3.12", warning.Message);
    }

    [Fact]
    public void TheBaseImageEnvironmentCanBeSupplied()
    {
        var info = DockerfileReader.Read("""
            FROM python:3.12
            ENV PATH=/opt/venv/bin:$PATH APP=$HOME/app
            """, "Dockerfile", imageEnv: new Dictionary<string, string> { ["PATH"] = "/usr/bin", ["HOME"] = "/root" });
        Assert.Equal(new Dictionary<string, string> { ["PATH"] = "/opt/venv/bin:/usr/bin", ["APP"] = "/root/app" }, EnvOf(info));
        Assert.Empty(info.Warnings);
    }

    [Fact]
    public void ArgDefaultsAndBuildArgs()
    {
        const string text = """
            FROM alpine
            ARG MODE=dev PORT
            ENV MODE=$MODE PORT=${PORT:-80}
            """;
        Assert.Equal(new Dictionary<string, string> { ["MODE"] = "dev", ["PORT"] = "80" }, EnvOf(Read(text)));
        Assert.Equal(new Dictionary<string, string> { ["MODE"] = "prod", ["PORT"] = "9000" },
            EnvOf(Read(text, new Dictionary<string, string?> { ["MODE"] = "prod", ["PORT"] = "9000" })));
        // A build arg with no value (compose `args: [MODE]` with MODE unset) is not given.
        Assert.Equal("dev", EnvOf(Read(text, new Dictionary<string, string?> { ["MODE"] = null }))["MODE"]);
    }

    [Fact]
    public void GlobalArgIsVisibleOnlyInFromUnlessDeclaredAgain()
    {
        const string text = """
            ARG VERSION=3.12
            FROM python:${VERSION}-slim
            ENV BEFORE=$VERSION
            ARG VERSION
            ENV AFTER=$VERSION
            """;
        var info = Read(text);
        Assert.Equal("python:3.12-slim", info.BaseImage);
        Assert.Equal(new Dictionary<string, string> { ["BEFORE"] = "", ["AFTER"] = "3.12" }, EnvOf(info));
        var warning = Assert.Single(info.Warnings);
        Assert.Equal(3, warning.Line);
        Assert.Contains("add 'ARG VERSION'", warning.Message);

        var overridden = Read(text, new Dictionary<string, string?> { ["VERSION"] = "3.13" });
        Assert.Equal("python:3.13-slim", overridden.BaseImage);
        Assert.Equal("3.13", EnvOf(overridden)["AFTER"]);
    }

    [Fact]
    public void GlobalArgDefaultsSeeEarlierGlobalArgs()
    {
        var info = Read("""
            ARG REGISTRY=docker.io
            ARG IMAGE=${REGISTRY}/library/alpine
            FROM $IMAGE
            """);
        Assert.Equal("docker.io/library/alpine", info.BaseImage);
    }

    [Fact]
    public void FromThatExpandsToNothingIsAnError()
    {
        var error = Fails("""
            ARG IMAGE
            FROM $IMAGE
            """);
        Assert.Equal((2, 6), (error.Line, error.Column));
        Assert.Contains("expands to nothing", error.Message);
    }

    [Fact]
    public void ArgDefaultIsExpandedWithTheStageVariablesAndEnvWinsOverAnEarlierArg()
    {
        var info = Read("""
            FROM alpine
            ENV BASE=/opt
            ARG DIR=$BASE/app
            WORKDIR $DIR
            ARG X=arg
            ENV X=env
            ENV Y=$X
            """);
        Assert.Equal("/opt/app", info.WorkDir);
        Assert.Equal("env", EnvOf(info)["Y"]);
        Assert.DoesNotContain(info.Env, e => e.Name == "DIR");
    }

    [Fact]
    public void RelativeWorkdirsAreJoinedOntoThePreviousOne()
    {
        var info = Read("""
            FROM alpine
            WORKDIR /a
            WORKDIR b
            WORKDIR ../c
            WORKDIR ./d/
            """);
        Assert.Equal("/a/c/d", info.WorkDir);
        Assert.Empty(info.Warnings);

        Assert.Equal("/srv/app/", Read("FROM alpine\nWORKDIR /srv/app/\n").WorkDir);
        Assert.Equal("/srv/web", Read("FROM alpine\nENV APP=/srv\nWORKDIR $APP/web\n").WorkDir);
    }

    [Fact]
    public void FirstRelativeWorkdirIsJoinedOntoRootWithAWarning()
    {
        var info = Read("""
            FROM node:20
            WORKDIR app
            """);
        Assert.Equal("/app", info.WorkDir);
        var warning = Assert.Single(info.Warnings);
        Assert.Equal((2, 9), (warning.Line, warning.Column));
        Assert.Contains("node:20", warning.Message);
    }

    [Fact]
    public void ExposeListsPortsWithProtocolsAndRanges()
    {
        var info = Read("""
            FROM alpine
            ENV PORTS="80 443"
            EXPOSE 8080 9090/tcp 53/udp 7000-7002 8080/TCP
            EXPOSE $PORTS 9/sctp
            """);
        Assert.Equal(["8080", "9090", "53/udp", "7000", "7001", "7002", "80", "443", "9/sctp"], info.Expose);
    }

    [Fact]
    public void ExposeOfSomethingElseIsAnError()
    {
        var error = Fails("""
            FROM alpine
            EXPOSE 8080 http
            """);
        Assert.Equal((2, 13), (error.Line, error.Column));
        Assert.Contains("'http' is not a port", error.Message);
    }

    private const string MultiStage = """
        FROM golang:1.22 AS build
        WORKDIR /src
        ENV CGO_ENABLED=0
        CMD ["go", "run", "."]

        FROM build AS test
        ENV MODE=test
        EXPOSE 9000

        FROM alpine:3.20 AS runtime
        ENV MODE=prod
        CMD ["/app"]
        """;

    [Fact]
    public void FinalStageDecidesByDefault()
    {
        var info = Read(MultiStage);
        Assert.Equal("runtime", info.StageName);
        Assert.Equal(10, info.StageLine);
        Assert.Equal("alpine:3.20", info.BaseImage);
        Assert.Equal([new DockerfileEnv("MODE", "prod", 11)], info.Env);
        Assert.Null(info.WorkDir);
        Assert.Empty(info.Expose);
        Assert.Equal(["/app"], info.Cmd!.Words);
    }

    [Fact]
    public void StageBuiltFromAnEarlierStageInheritsItsConfig()
    {
        var info = Read(MultiStage, target: "TEST");
        Assert.Equal("test", info.StageName);
        Assert.Equal("golang:1.22", info.BaseImage);
        Assert.Equal("/src", info.WorkDir);
        Assert.Equal([new DockerfileEnv("CGO_ENABLED", "0", 3), new DockerfileEnv("MODE", "test", 7)], info.Env);
        Assert.Equal(["9000"], info.Expose);
        Assert.Equal(["go", "run", "."], info.Cmd!.Words);
        Assert.Equal(4, info.Cmd.Line);
    }

    [Fact]
    public void UnknownTargetNamesTheStages()
    {
        var error = Fails(MultiStage, target: "prod");
        Assert.Equal(0, error.Line);
        Assert.Contains("'prod' is not a stage", error.Message);
        Assert.Contains("build (line 1), test (line 6), runtime (line 10)", error.Message);
    }

    [Fact]
    public void EntrypointClearsTheInheritedCmdButNotOneFromItsOwnStage()
    {
        var inherited = Read("""
            FROM alpine AS base
            CMD ["serve"]
            FROM base
            ENTRYPOINT ["/entry"]
            """);
        Assert.Equal(["/entry"], inherited.Entrypoint!.Words);
        Assert.Null(inherited.Cmd);
        Assert.Contains("clears the CMD of line 2", Assert.Single(inherited.Warnings).Message);

        var own = Read("""
            FROM alpine
            CMD ["--help"]
            ENTRYPOINT ["/entry"]
            """);
        Assert.Equal(["--help"], own.Cmd!.Words);
        Assert.Empty(own.Warnings);
    }

    [Fact]
    public void LastCmdOfAStageWinsWithAWarning()
    {
        var info = Read("""
            FROM alpine
            CMD ["one"]
            CMD ["two"]
            """);
        Assert.Equal(["two"], info.Cmd!.Words);
        Assert.Contains("replaces the one on line 2", Assert.Single(info.Warnings).Message);
    }

    [Fact]
    public void OnbuildTriggersRunInTheStageBuiltFromIt()
    {
        const string text = """
            FROM alpine AS base
            ONBUILD ENV TRIGGERED=yes
            ONBUILD COPY . /src
            ENV OWN=1
            FROM base AS app
            """;
        Assert.Equal(new Dictionary<string, string> { ["OWN"] = "1", ["TRIGGERED"] = "yes" }, EnvOf(Read(text)));
        Assert.DoesNotContain(Read(text, target: "base").Env, e => e.Name == "TRIGGERED");
    }

    [Fact]
    public void UnknownInstructionIsAnErrorAtItsLineAndColumn()
    {
        var error = Fails("""
            FROM alpine
              CMDD ["x"]
            """);
        Assert.Equal((2, 3), (error.Line, error.Column));
        Assert.Contains("unknown instruction 'CMDD'", error.Message);
        Assert.Contains("did you mean CMD?", error.Message);
        Assert.StartsWith("Dockerfile:2:3: ", error.Message);
        Assert.DoesNotContain("Dockerfile:", error.Reason);
    }

    [Fact]
    public void GluedInstructionThatMattersIsAnErrorThatSaysWhereTheSpaceGoes()
    {
        var error = Fails("""
            FROM alpine
            CMD["python","app.py"]
            """);
        Assert.Equal((2, 1), (error.Line, error.Column));
        Assert.Contains("a space is missing after CMD; write 'CMD [\"python\",\"app.py\"]'", error.Message);
    }

    [Fact]
    public void MissingFromIsAnError()
    {
        var before = Fails("""
            # build
            RUN echo hi
            FROM alpine
            """);
        Assert.Equal((2, 1), (before.Line, before.Column));
        Assert.Contains("RUN comes before any FROM", before.Message);

        Assert.Contains("has no instructions", Fails("# nothing\n\n").Message);
        Assert.Contains("has no FROM", Fails("ARG A=1\n").Message);
    }

    [Fact]
    public void ErrorInAContinuedInstructionPointsAtThePhysicalLine()
    {
        var error = Fails("""
            FROM alpine
            ENV A=1 \
                B
            """);
        Assert.Equal((3, 5), (error.Line, error.Column));
        Assert.Contains("'B' has no '='", error.Message);
    }

    [Fact]
    public void LeadingDoubleDashWordsAreInstructionFlags()
    {
        var error = Fails("""
            FROM alpine
            CMD --port 8080
            """);
        Assert.Equal((2, 5), (error.Line, error.Column));
        Assert.Contains("exec form", error.Message);

        var info = Read("""
            FROM --platform=$BUILDPLATFORM golang:1.22 AS build
            RUN --mount=type=cache,target=/root/.cache go build ./...
            FROM alpine
            COPY --from=build --chmod=755 /out/app /app
            CMD ["/app"]
            """);
        Assert.Empty(info.Warnings);
        Assert.Equal("alpine", info.BaseImage);
    }

    [Fact]
    public void InvalidStageNameIsAnError()
    {
        var error = Fails("FROM alpine AS 1st\n");
        Assert.Equal((1, 16), (error.Line, error.Column));
        Assert.Contains("not a valid stage name", error.Message);
    }

    [Fact]
    public void ByteOrderMarkAndCarriageReturnsAreIgnored()
    {
        var info = Read("\uFEFFFROM alpine\r\nENV A=1 \\\r\n  B=2\r\nCMD [\"a\"]\r\n");
        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" }, EnvOf(info));
        Assert.Equal(["a"], info.Cmd!.Words);
    }

    [Fact]
    public void UserAndStopSignalAreRead()
    {
        var info = Read("""
            FROM alpine
            ARG UID=1000
            USER $UID:$UID
            STOPSIGNAL SIGQUIT
            """);
        Assert.Equal("1000:1000", info.User);
        Assert.Equal("SIGQUIT", info.StopSignal);
        Assert.Contains("not a signal", Fails("FROM alpine\nSTOPSIGNAL SIGNOPE\n").Message);
    }

    [Fact]
    public void BuildArgThatNoArgDeclaresIsReported()
    {
        var info = Read("FROM alpine\nARG USED\n", new Dictionary<string, string?> { ["USED"] = "1", ["UNUSED"] = "2", ["HTTP_PROXY"] = "http://proxy" });
        var warning = Assert.Single(info.Warnings);
        Assert.Equal(0, warning.Line);
        Assert.Contains("'UNUSED'", warning.Message);
    }

    [Fact]
    public void MistakesInInstructionsThatAreNotRunAreWarnings()
    {
        var info = Read("""
            FROM alpine
            LABEL
            VOLUME
            HEALTHCHECK PING
            ONBUILD FROM x
            COPY onlyone
            CMD ["x"]
            """);
        Assert.Equal([2, 3, 4, 5, 6], info.Warnings.Select(w => w.Line));
        Assert.All(info.Warnings, w => Assert.Contains("Docker would reject this line", w.Message));
    }
}
