using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NasPlatform.Platform.Webhooks;

/// <summary>
/// How a receiver knows a delivery came from this platform and was not replayed: the header
/// <c>X-NasPlatform-Signature: t=UNIX_SECONDS,v1=HEX</c>, where HEX is HMAC-SHA256 with the webhook's
/// secret over <c>"{t}.{body}"</c> (the timestamp is signed, so an old body cannot be re-sent as new).
/// </summary>
public static class WebhookSignature
{
    public const string Header = "X-NasPlatform-Signature";
    public const string EventHeader = "X-NasPlatform-Event";
    public const string DeliveryHeader = "X-NasPlatform-Delivery";

    public static string Sign(string secret, long unixSeconds, string body)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{unixSeconds.ToString(CultureInfo.InvariantCulture)}.{body}"));
        return $"t={unixSeconds.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>What a receiver does: recompute the MAC, compare in constant time, refuse timestamps older than <paramref name="tolerance"/>.</summary>
    public static bool Verify(string secret, string header, string body, DateTimeOffset now, TimeSpan tolerance)
    {
        long? t = null;
        string? v1 = null;
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("t=", StringComparison.Ordinal) && long.TryParse(part[2..], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)) t = parsed;
            else if (part.StartsWith("v1=", StringComparison.Ordinal)) v1 = part[3..];
        }
        if (t is null || v1 is null || Math.Abs(now.ToUnixTimeSeconds() - t.Value) > tolerance.TotalSeconds) return false;
        var expected = Encoding.ASCII.GetBytes(Sign(secret, t.Value, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes($"t={t.Value.ToString(CultureInfo.InvariantCulture)},v1={v1}"));
    }

    /// <summary>A fresh secret: 32 random bytes, URL-safe Base64, prefixed so it is recognisable in a leak scan.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
