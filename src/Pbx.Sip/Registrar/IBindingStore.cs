namespace Pbx.Sip.Registrar;

/// <summary>Where bindings survive a restart. Implemented by the host's storage; the table stays authoritative.</summary>
public interface IBindingStore
{
    Task<IReadOnlyList<Binding>> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Writes the changed bindings and forgets the removed ones, in one transaction.</summary>
    Task SaveAsync(IReadOnlyCollection<Binding> changed, IReadOnlyCollection<Binding> removed, CancellationToken cancellationToken);
}
