namespace TmsBridge.Backends.QMetry;

/// <summary>QMetry Cloud: <see cref="QMetryFlavour.Cloud"/>; evidence through the Open API (<see cref="QMetryEvidence"/>).</summary>
internal sealed class QMetryCloudBackend() : QMetryBackendBase(QMetryFlavour.Cloud);
