namespace Pbx.Media.Sdp;

/// <summary>
/// Typed views over an ordered attribute list. The list itself stays the single source of truth so that
/// unknown attributes keep their position on round trip.
/// </summary>
public static class SdpAttributeList
{
    public static string? GetValue(List<SdpAttribute> attributes, string name)
    {
        foreach (var attribute in attributes)
        {
            if (NameEquals(attribute, name)) return attribute.Value;
        }
        return null;
    }

    public static bool Contains(List<SdpAttribute> attributes, string name)
    {
        foreach (var attribute in attributes)
        {
            if (NameEquals(attribute, name)) return true;
        }
        return false;
    }

    public static IEnumerable<SdpAttribute> GetAll(List<SdpAttribute> attributes, string name) =>
        attributes.Where(attribute => NameEquals(attribute, name));

    /// <summary>Replaces the first attribute of that name in place (keeping its position), removes other copies, or appends.</summary>
    public static void Set(List<SdpAttribute> attributes, SdpAttribute replacement)
    {
        var index = attributes.FindIndex(attribute => NameEquals(attribute, replacement.Name));
        if (index < 0)
        {
            attributes.Add(replacement);
            return;
        }
        attributes[index] = replacement;
        for (var i = attributes.Count - 1; i > index; i--)
        {
            if (NameEquals(attributes[i], replacement.Name)) attributes.RemoveAt(i);
        }
    }

    public static int Remove(List<SdpAttribute> attributes, string name) =>
        attributes.RemoveAll(attribute => NameEquals(attribute, name));

    public static MediaDirection? GetDirection(List<SdpAttribute> attributes)
    {
        // When several direction attributes are present (non-conformant), the last one wins, as in most stacks.
        MediaDirection? direction = null;
        foreach (var attribute in attributes)
        {
            if (TryParseDirection(attribute.Name, out var parsed)) direction = parsed;
        }
        return direction;
    }

    /// <summary>Writes the direction in place of the existing direction attribute, or appends it.</summary>
    public static void SetDirection(List<SdpAttribute> attributes, MediaDirection direction)
    {
        var replacement = new SdpAttribute(ToAttributeName(direction));
        var index = attributes.FindIndex(attribute => TryParseDirection(attribute.Name, out _));
        if (index < 0)
        {
            attributes.Add(replacement);
            return;
        }
        attributes[index] = replacement;
        for (var i = attributes.Count - 1; i > index; i--)
        {
            if (TryParseDirection(attributes[i].Name, out _)) attributes.RemoveAt(i);
        }
    }

    public static bool TryParseDirection(string name, out MediaDirection direction)
    {
        switch (name.ToLowerInvariant())
        {
            case SdpConstants.AttributeSendRecv: direction = MediaDirection.SendRecv; return true;
            case SdpConstants.AttributeSendOnly: direction = MediaDirection.SendOnly; return true;
            case SdpConstants.AttributeRecvOnly: direction = MediaDirection.RecvOnly; return true;
            case SdpConstants.AttributeInactive: direction = MediaDirection.Inactive; return true;
            default: direction = default; return false;
        }
    }

    public static string ToAttributeName(MediaDirection direction) => direction switch
    {
        MediaDirection.SendOnly => SdpConstants.AttributeSendOnly,
        MediaDirection.RecvOnly => SdpConstants.AttributeRecvOnly,
        MediaDirection.Inactive => SdpConstants.AttributeInactive,
        _ => SdpConstants.AttributeSendRecv,
    };

    private static bool NameEquals(SdpAttribute attribute, string name) =>
        string.Equals(attribute.Name, name, StringComparison.OrdinalIgnoreCase);
}
