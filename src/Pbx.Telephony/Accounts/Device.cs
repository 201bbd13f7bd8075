namespace Pbx.Telephony.Accounts;

public enum DeviceKind
{
    DeskPhone,
    Softphone,
    MobileClient,
    /// <summary>The user's cell phone, reached through a trunk at <see cref="Device.Number"/>.</summary>
    CellNumber,
    /// <summary>A number the user added as a preferred device, with its own maximum ring time.</summary>
    Added,
}

/// <summary>
/// A device of a user. SIP devices register as the user; the device row names them for routing.
/// Cell and added devices are external numbers reached through a trunk.
/// </summary>
public sealed record Device(long Id, string UserLoginId, DeviceKind Kind, string Name, string? Number, int? MaxRingSeconds);

public sealed record NewDevice(string UserLoginId, DeviceKind Kind, string Name, string? Number, int? MaxRingSeconds);
