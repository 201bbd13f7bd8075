namespace Pbx.Xmpp.Auth;

public enum SaslStepKind
{
    Challenge,
    Success,
    Failure,
}

/// <summary>One server reply in a SASL exchange (RFC 6120 §6.4).</summary>
public readonly record struct SaslStep(SaslStepKind Kind, byte[]? Data, string? FailureCondition)
{
    public static SaslStep Challenge(byte[] data) => new(SaslStepKind.Challenge, data, null);
    public static SaslStep Success(byte[]? additionalData) => new(SaslStepKind.Success, additionalData, null);
    public static SaslStep Fail(string condition) => new(SaslStepKind.Failure, null, condition);
}

/// <summary>SASL failure element names of RFC 6120 §6.5.</summary>
public static class SaslFailures
{
    public const string Aborted = "aborted";
    public const string EncryptionRequired = "encryption-required";
    public const string IncorrectEncoding = "incorrect-encoding";
    public const string InvalidAuthzid = "invalid-authzid";
    public const string InvalidMechanism = "invalid-mechanism";
    public const string MalformedRequest = "malformed-request";
    public const string NotAuthorized = "not-authorized";
    public const string TemporaryAuthFailure = "temporary-auth-failure";
}
