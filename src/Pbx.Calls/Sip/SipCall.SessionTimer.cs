using System.Globalization;
using Microsoft.Extensions.Logging;
using Pbx.Media.Relay;
using Pbx.Sip.Messages;
using Pbx.Sip.Transactions;

namespace Pbx.Calls.Sip;

/// <summary>
/// Session timers (RFC 4028) per side. A caller that asks for them gets them with itself as refresher; a callee that
/// puts them into its 2xx gets what it chose: when we are the refresher we send an UPDATE every half interval, when
/// the phone is, a side that stays silent for the whole interval is taken for dead and the call ends.
/// </summary>
internal sealed partial class SipCall
{
    private static readonly TimeSpan SessionCheckInterval = TimeSpan.FromSeconds(5);
    private readonly TimeSpan?[] _sessionInterval = new TimeSpan?[2];
    private readonly bool[] _weRefresh = new bool[2];
    private readonly long[] _lastRefresh = new long[2];
    private ITimer? _sessionTimer;

    /// <summary>The Session-Expires value the caller asked for, or null; 0 when it is below our minimum (answer 422).</summary>
    private int? RequestedSessionSeconds()
    {
        if (_invite is null || !TryReadSessionExpires(Invite, out var seconds, out _)) return null;
        return seconds < (int)B2bua.Options.MinSessionExpires.TotalSeconds ? 0 : seconds;
    }

    /// <summary>Headers for our 2xx to the caller when it asked for session timers: it refreshes (refresher=uac).</summary>
    private void WriteInboundSessionTimer(SipMessageWriter writer, int seconds)
    {
        writer.WriteHeader(HeaderKind.SessionExpires, $"{seconds.ToString(CultureInfo.InvariantCulture)};refresher=uac");
        writer.WriteHeader(HeaderKind.Require, "timer");
    }

    /// <summary>Arms the timers once the call is connected: the caller's as negotiated, the callee's from its 2xx.</summary>
    private void StartSessionTimers(int? inboundSeconds, string? calleeSessionExpires)
    {
        if (inboundSeconds is > 0 and var seconds) Arm(RelayLeg.A, seconds, weRefresh: false);
        if (calleeSessionExpires is not null && TryParseSessionExpires(calleeSessionExpires, out var calleeSeconds, out var refresher))
            Arm(RelayLeg.B, calleeSeconds, weRefresh: refresher != "uas");
        if (_sessionInterval[0] is null && _sessionInterval[1] is null) return;
        _sessionTimer = B2bua.Time.CreateTimer(static s => ((SipCall)s!).Queue.Post(((SipCall)s!).CheckSessionTimers), this,
            SessionCheckInterval, SessionCheckInterval);
    }

    private void Arm(RelayLeg leg, int seconds, bool weRefresh)
    {
        _sessionInterval[(int)leg] = TimeSpan.FromSeconds(seconds);
        _weRefresh[(int)leg] = weRefresh;
        _lastRefresh[(int)leg] = B2bua.Time.GetTimestamp();
    }

    /// <summary>Any re-INVITE or UPDATE from a side refreshes its session (RFC 4028 §10).</summary>
    private void OnSessionRefreshed(RelayLeg from) => _lastRefresh[(int)from] = B2bua.Time.GetTimestamp();

    private void CheckSessionTimers()
    {
        if (_phase != CallPhase.Connected) return;
        foreach (var leg in (RelayLeg[])[RelayLeg.A, RelayLeg.B])
        {
            if (_sessionInterval[(int)leg] is not { } interval || _sides[(int)leg] is not { } side) continue;
            var since = B2bua.Time.GetElapsedTime(_lastRefresh[(int)leg]);
            if (_weRefresh[(int)leg])
            {
                if (since < interval / 2) continue;
                _lastRefresh[(int)leg] = B2bua.Time.GetTimestamp();
                side.Dialog.Send(SipMethod.Update, new RefreshAnswer(this, leg));
            }
            else if (since > interval)
            {
                SessionExpired(B2bua.Log, Id, leg.ToString(), (int)interval.TotalSeconds);
                End($"session timer expired: leg {leg} sent no refresh within {(int)interval.TotalSeconds} s", byeFrom: null);
                return;
            }
        }
    }

    private void OnRefreshAnswered(RelayLeg leg, int status)
    {
        // 408 and 481 say the dialog is dead (RFC 4028 §10); other failures (e.g. 501 to UPDATE) are not proof of that.
        if (status is 408 or 481) End($"session refresh of leg {leg} failed with {status}", byeFrom: null);
    }

    private static bool TryReadSessionExpires(SipMessage message, out int seconds, out string? refresher)
    {
        seconds = 0;
        refresher = null;
        return message.TryGetHeader(HeaderKind.SessionExpires, out var raw)
            && TryParseSessionExpires(System.Text.Encoding.ASCII.GetString(raw), out seconds, out refresher);
    }

    private static bool TryParseSessionExpires(string value, out int seconds, out string? refresher)
    {
        seconds = 0;
        refresher = null;
        var parts = value.Split(';', StringSplitOptions.TrimEntries);
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out seconds) || seconds <= 0) return false;
        foreach (var parameter in parts.Skip(1))
            if (parameter.StartsWith("refresher=", StringComparison.OrdinalIgnoreCase)) refresher = parameter[10..].ToLowerInvariant();
        return true;
    }

    [LoggerMessage(EventId = 3040, Level = LogLevel.Warning, Message = "Call {CallId}: leg {Leg} did not refresh its session within {Seconds} s; ending the call")]
    private static partial void SessionExpired(ILogger logger, string callId, string leg, int seconds);

    private sealed class RefreshAnswer(SipCall call, RelayLeg leg) : IResponseHandler
    {
        public void OnResponse(ClientTransaction sent, SipMessage response)
        {
            int status = response.StatusCode;
            if (status >= 200) call.Queue.Post(() => call.OnRefreshAnswered(leg, status));
        }
    }
}
