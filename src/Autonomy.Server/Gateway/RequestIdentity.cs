using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Autonomy.Server.Gateway;

/// <summary>
/// What the gateway adds to every request: an <c>X-Request-Id</c> (the client's if it sent a usable one, else a new
/// one) and a W3C <c>traceparent</c> that continues the client's trace with the gateway's own span, or starts one.
/// </summary>
internal static class RequestIdentity
{
    public const string RequestIdHeader = "X-Request-Id";
    public const string TraceParentHeader = "traceparent";

    private const int MaxRequestIdLength = 200;

    /// <summary>Sets both headers on the request as it will be forwarded, and answers the request id.</summary>
    public static string Apply(IHeaderDictionary headers)
    {
        var requestId = headers[RequestIdHeader];
        string id;
        if (requestId.Count == 1 && IsUsable(requestId[0]))
        {
            id = requestId[0]!;
        }
        else
        {
            id = NewHex(16);
            headers[RequestIdHeader] = id;
        }
        headers[TraceParentHeader] = Continue(headers[TraceParentHeader]);
        return id;
    }

    /// <summary>version-traceid-parentid-flags: the client's trace id and flags kept, a new parent id (the gateway's span).</summary>
    private static string Continue(StringValues incoming)
    {
        if (incoming.Count == 1 && incoming[0] is { Length: 55 } parent && IsTraceParent(parent))
        {
            return string.Create(55, parent, static (span, parent) =>
            {
                parent.AsSpan(0, 36).CopyTo(span);
                FillHex(span.Slice(36, 16));
                parent.AsSpan(52).CopyTo(span[52..]);
            });
        }
        return string.Create(55, 0, static (span, _) =>
        {
            "00-".CopyTo(span);
            FillHex(span.Slice(3, 32));
            span[35] = '-';
            FillHex(span.Slice(36, 16));
            "-01".CopyTo(span[52..]);
        });
    }

    private static bool IsTraceParent(string value) =>
        value[2] == '-' && value[35] == '-' && value[52] == '-' && value.StartsWith("00-", StringComparison.Ordinal)
        && IsLowerHex(value.AsSpan(3, 32)) && IsLowerHex(value.AsSpan(36, 16)) && IsLowerHex(value.AsSpan(53, 2))
        && value.AsSpan(3, 32).ContainsAnyExcept('0') && value.AsSpan(36, 16).ContainsAnyExcept('0');

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is < 'a' or > 'f')
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsUsable(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxRequestIdLength)
        {
            return false;
        }
        foreach (var c in id)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }
        return true;
    }

    private static string NewHex(int bytes) => string.Create(bytes * 2, 0, static (span, _) => FillHex(span));

    // Ids need to be unique, not secret: the shared generator is a fast PRNG, where the system's secure one would cost
    // a call into the kernel (or OpenSSL) per id, three per request.
    private static void FillHex(Span<char> span)
    {
        Span<byte> random = stackalloc byte[span.Length / 2];
        Random.Shared.NextBytes(random);
        Convert.TryToHexStringLower(random, span, out _);
    }
}
