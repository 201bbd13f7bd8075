using Pbx.Telephony.Calls;

namespace Pbx.Calls;

/// <summary>What the B2BUA needs to know about PBX users, implemented by the host over its directory.</summary>
public interface ICallDirectory
{
    /// <summary>The identity an authenticated user presents when calling (its first internal number and display name).</summary>
    ValueTask<CallerIdentity?> GetIdentityAsync(string loginId, CancellationToken cancellation);

    /// <summary>The user an internal number belongs to (for the journal of calls that rang nobody), else null.</summary>
    ValueTask<string?> FindUserOfNumberAsync(string number, CancellationToken cancellation);

    /// <summary>The user whose cell-number device this is (call-through from a cell phone), else null.</summary>
    ValueTask<string?> FindUserByCellNumberAsync(string number, CancellationToken cancellation);

    /// <summary>The user's first external number (a DID in E.164), presented as caller ID on trunk calls; null when none.</summary>
    ValueTask<string?> GetExternalNumberAsync(string loginId, CancellationToken cancellation);

    /// <summary>The language the user hears prompts in (en, de, fr); null for the system language.</summary>
    ValueTask<string?> GetLanguageAsync(string loginId, CancellationToken cancellation) => ValueTask.FromResult<string?>(null);
}
