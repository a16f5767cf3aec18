using System.Text;
using Autonomy.Server.Messaging.Http;

namespace Autonomy.Tests.Messaging.Api;

/// <summary>A received payload is shown as text only when it reads as text; anything else is base64.</summary>
public sealed class PayloadDisplayTests
{
    [Theory]
    [InlineData("hello")]
    [InlineData("tabs\tand\r\nlines")]
    [InlineData("Grüße, 東京 🚀")]
    [InlineData("")]
    public void TextIsShownAsText(string text)
    {
        Assert.Equal((text, "string"), MessageJson.ShowPayload(Encoding.UTF8.GetBytes(text), "auto"));
    }

    [Theory]
    [InlineData(new byte[] { 0x68, 0x00, 0x69 })]                  // NUL
    [InlineData(new byte[] { 0x1B, 0x5B, 0x32, 0x4A })]            // an escape sequence
    [InlineData(new byte[] { 0x61, 0x7F })]                        // DEL
    [InlineData(new byte[] { 0xC2, 0x85 })]                        // U+0085, a C1 control, valid UTF-8
    [InlineData(new byte[] { 0xFF, 0xFE, 0x00 })]                  // not UTF-8
    [InlineData(new byte[] { 0xE6, 0x9D })]                        // a character cut in the middle
    public void AnythingElseIsBase64(byte[] body)
    {
        Assert.Equal((Convert.ToBase64String(body), "base64"), MessageJson.ShowPayload(body, "auto"));
    }

    [Fact]
    public void Base64IsUsedWhenAskedFor()
    {
        Assert.Equal(("aGk=", "base64"), MessageJson.ShowPayload("hi"u8, "base64"));
    }
}
