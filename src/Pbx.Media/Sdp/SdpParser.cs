using System.Diagnostics.CodeAnalysis;

namespace Pbx.Media.Sdp;

/// <summary>
/// RFC 8866 parser. Accepts CRLF or bare LF line ends and blank lines; refuses anything else that is
/// malformed with an <see cref="SdpParseError"/>. Never throws for bad input.
/// </summary>
public static class SdpParser
{
    public static bool TryParse(string? text, [NotNullWhen(true)] out SessionDescription? description, [NotNullWhen(false)] out SdpParseError? error)
    {
        var result = Parse(text);
        description = result.Description;
        error = result.Error;
        return result.IsSuccess;
    }

    public static SdpParseResult Parse(string? text)
    {
        if (string.IsNullOrEmpty(text)) return SdpParseResult.Failure(0, "empty session description");
        if (text.Length > SdpConstants.MaxDescriptionLength)
            return SdpParseResult.Failure(0, $"session description exceeds {SdpConstants.MaxDescriptionLength} characters");

        var state = new SdpParseState();
        var lineNumber = 0;
        var remaining = text.AsSpan();
        while (!remaining.IsEmpty)
        {
            lineNumber++;
            var newline = remaining.IndexOf('\n');
            var line = newline < 0 ? remaining : remaining[..newline];
            remaining = newline < 0 ? [] : remaining[(newline + 1)..];
            if (line.EndsWith('\r')) line = line[..^1];
            if (line.IsEmpty) continue;
            var problem = CheckLineShape(line);
            if (problem is null)
            {
                problem = state.Accept(line[0], line[2..].ToString());
            }
            if (problem is not null) return SdpParseResult.Failure(lineNumber, problem);
        }

        var completionProblem = state.Complete(out var description);
        return completionProblem is null
            ? SdpParseResult.Success(description!)
            : SdpParseResult.Failure(0, completionProblem);
    }

    private static string? CheckLineShape(ReadOnlySpan<char> line)
    {
        if (line.Length < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z')
            return "malformed line, expected <type>=<value>";
        if (line.ContainsAny('\0', '\r')) return "NUL or bare CR character in line";
        return null;
    }
}
