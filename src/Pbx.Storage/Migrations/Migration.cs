namespace Pbx.Storage.Migrations;

/// <summary>One schema step. Versions are consecutive from 1; a step is never edited once released, only followed by another.</summary>
public sealed record Migration(int Version, string Name, string Sql);
