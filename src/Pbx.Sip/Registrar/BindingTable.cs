using Pbx.Sip.Transports;

namespace Pbx.Sip.Registrar;

/// <summary>The outcome of applying one REGISTER to the table.</summary>
public sealed record BindingUpdate(bool Accepted, IReadOnlyList<Binding> Current, IReadOnlyList<Binding> Changed, IReadOnlyList<Binding> Removed);

/// <summary>
/// Current bindings per address-of-record, the registrar's location service. In memory for speed; a
/// <see cref="IBindingStore"/> keeps a copy so a restart keeps phones reachable.
/// </summary>
public sealed class BindingTable
{
    private readonly Dictionary<string, List<Binding>> _byAor = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>
    /// Raised (outside the table's lock) with the AoR whose bindings were added, refreshed or removed, so presence
    /// can follow registrations.
    /// </summary>
    public event Action<string>? AorChanged;

    public int Count
    {
        get { lock (_lock) return _byAor.Values.Sum(list => list.Count); }
    }

    /// <summary>RFC 3261 §10.3 steps 6–8 with RFC 5626 instance matching; <paramref name="now"/> decides expiry.</summary>
    public BindingUpdate Apply(RegisterRequest request, SipFlow flow, RegistrarOptions options, DateTimeOffset now)
    {
        BindingUpdate update;
        lock (_lock)
        {
            var list = _byAor.TryGetValue(request.Aor, out var existing) ? existing : [];
            var removed = DropExpired(list, now);
            var changed = new List<Binding>();
            if (request.RemoveAll)
            {
                if (list.Any(b => b.CallId == request.CallId && b.CSeq >= request.CSeq))
                    return new BindingUpdate(false, [.. list], [], removed);
                removed.AddRange(list);
                list.Clear();
            }
            foreach (var change in request.Contacts)
            {
                var index = list.FindIndex(b => Matches(b, change));
                var old = index >= 0 ? list[index] : null;
                // Same Call-ID with an older or equal CSeq: an out-of-order retransmission must not undo a newer update.
                if (old is not null && old.CallId == request.CallId && old.CSeq >= request.CSeq)
                    return new BindingUpdate(false, [.. list], [], removed);
                if (change.ExpiresSeconds == 0)
                {
                    if (old is not null) { list.RemoveAt(index); removed.Add(old); }
                    continue;
                }
                var binding = new Binding(request.Aor, change.Contact, change.InstanceId, change.RegId, change.Q,
                    now.AddSeconds(Math.Min(change.ExpiresSeconds, options.MaxExpiresSeconds)), request.CallId, request.CSeq, flow,
                    request.Path, request.UserAgent, now, old?.RegisteredAt ?? now) { IsMobile = change.IsMobile };
                if (old is not null) list[index] = binding;
                else
                {
                    if (list.Count >= options.MaxContactsPerAor)
                    {
                        var oldest = list.MinBy(b => b.ExpiresAt)!;
                        list.Remove(oldest);
                        removed.Add(oldest);
                    }
                    list.Add(binding);
                }
                changed.Add(binding);
            }
            if (list.Count == 0) _byAor.Remove(request.Aor);
            else _byAor[request.Aor] = list;
            update = new BindingUpdate(true, [.. list], changed, removed);
        }
        if (update.Changed.Count > 0 || update.Removed.Count > 0) AorChanged?.Invoke(request.Aor);
        return update;
    }

    /// <summary>The AoR's live bindings, highest q first (RFC 3261 §16.6 target order).</summary>
    public IReadOnlyList<Binding> Lookup(string aor, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_byAor.TryGetValue(aor.ToLowerInvariant(), out var list)) return [];
            return list.Where(b => b.ExpiresAt > now).OrderByDescending(b => b.Q).ToList();
        }
    }

    public IReadOnlyList<Binding> Snapshot()
    {
        lock (_lock) return _byAor.Values.SelectMany(list => list).ToList();
    }

    /// <summary>Removes every expired binding; returns them so the store can forget them too.</summary>
    public IReadOnlyList<Binding> Expire(DateTimeOffset now)
    {
        var removed = new List<Binding>();
        lock (_lock)
        {
            foreach (var (aor, list) in _byAor.ToList())
            {
                removed.AddRange(DropExpired(list, now));
                if (list.Count == 0) _byAor.Remove(aor);
            }
        }
        foreach (var aor in removed.Select(b => b.Aor).Distinct()) AorChanged?.Invoke(aor);
        return removed;
    }

    /// <summary>Every AoR that has at least one live binding.</summary>
    public IReadOnlyList<string> RegisteredAors(DateTimeOffset now)
    {
        lock (_lock) return _byAor.Where(e => e.Value.Any(b => b.ExpiresAt > now)).Select(e => e.Key).ToList();
    }

    /// <summary>Loads bindings kept by the store at start; already expired ones are skipped.</summary>
    public void Restore(IEnumerable<Binding> bindings, DateTimeOffset now)
    {
        lock (_lock)
        {
            foreach (var binding in bindings.Where(b => b.ExpiresAt > now))
            {
                if (!_byAor.TryGetValue(binding.Aor, out var list)) _byAor[binding.Aor] = list = [];
                list.RemoveAll(b => b.Key == binding.Key);
                list.Add(binding);
            }
        }
    }

    private static List<Binding> DropExpired(List<Binding> list, DateTimeOffset now)
    {
        var expired = list.Where(b => b.ExpiresAt <= now).ToList();
        list.RemoveAll(b => b.ExpiresAt <= now);
        return expired;
    }

    private static bool Matches(Binding binding, ContactChange change)
    {
        if (change.InstanceId is not null || binding.InstanceId is not null)
            return change.InstanceId == binding.InstanceId && change.RegId == binding.RegId;
        if (binding.Contact == change.Contact) return true;
        return Uris.SipUri.TryParse(binding.Contact, out var a) && Uris.SipUri.TryParse(change.Contact, out var b) && a.EquivalentTo(b);
    }
}
