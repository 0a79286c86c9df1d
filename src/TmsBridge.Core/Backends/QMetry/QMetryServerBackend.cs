namespace TmsBridge.Backends.QMetry;

/// <summary>QMetry Server/Data Center: <see cref="QMetryFlavour.Server"/>.</summary>
internal sealed class QMetryServerBackend() : QMetryBackendBase(QMetryFlavour.Server);
