using Pbx.Media.Sdp;

namespace Pbx.Media.Negotiation;

/// <summary>Hold semantics of RFC 3264 §8.4, including the RFC 2543 c=0.0.0.0 convention.</summary>
public static class HoldDetection
{
    /// <summary>
    /// The direction an offer really asks for: its effective direction attribute, with a 0.0.0.0 (or ::)
    /// connection address meaning the offerer will not receive, so it can at most send.
    /// </summary>
    public static MediaDirection GetEffectiveDirection(SessionDescription sdp, MediaDescription media)
    {
        var direction = media.GetEffectiveDirection(sdp);
        if (media.GetEffectiveConnection(sdp)?.IsUnspecifiedAddress != true) return direction;
        return direction switch
        {
            MediaDirection.SendRecv => MediaDirection.SendOnly,
            MediaDirection.RecvOnly => MediaDirection.Inactive,
            _ => direction,
        };
    }

    /// <summary>True when the stream's author puts the other side on hold (it no longer wants to receive).</summary>
    public static bool IsHold(SessionDescription sdp, MediaDescription media) =>
        !media.IsRejected && GetEffectiveDirection(sdp, media) is MediaDirection.SendOnly or MediaDirection.Inactive;

    /// <summary>True when any active stream of the description signals hold.</summary>
    public static bool IsHold(SessionDescription sdp) => sdp.Media.Any(media => IsHold(sdp, media));

    /// <summary>The direction an answerer that is willing to do everything returns (RFC 3264 §6.1).</summary>
    public static MediaDirection Mirror(MediaDirection offered) => offered switch
    {
        MediaDirection.SendOnly => MediaDirection.RecvOnly,
        MediaDirection.RecvOnly => MediaDirection.SendOnly,
        MediaDirection.Inactive => MediaDirection.Inactive,
        _ => MediaDirection.SendRecv,
    };
}
