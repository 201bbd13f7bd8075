using System.Collections;
using System.ComponentModel;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Pbx.Server.Configuration;

/// <summary>
/// Checks configuration keys against the options classes before binding: a misspelt key or a value of the
/// wrong type is reported by name, where the binder would silently ignore the one and throw at the first other.
/// </summary>
internal static class ConfigurationShape
{
    public static IEnumerable<ConfigError> Check(IConfiguration root, Type optionsType, IReadOnlyCollection<string> ignoredSections)
    {
        var errors = new List<ConfigError>();
        foreach (var section in root.GetChildren())
        {
            if (ignoredSections.Contains(section.Key, StringComparer.OrdinalIgnoreCase)) continue;
            CheckProperty(section, optionsType, errors);
        }
        return errors;
    }

    private static void CheckProperty(IConfigurationSection section, Type owner, List<ConfigError> errors)
    {
        var property = owner.GetProperty(section.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is null)
        {
            errors.Add(new(section.Path, $"unknown setting (known in this section: {string.Join(", ", owner.GetProperties().Select(p => p.Name))})"));
            return;
        }
        CheckValue(section, property.PropertyType, errors);
    }

    private static void CheckValue(IConfigurationSection section, Type type, List<ConfigError> errors)
    {
        if (IsScalar(type))
        {
            if (section.GetChildren().Any())
                errors.Add(new(section.Path, $"must be a single {Describe(type)} value, not an object or list"));
            else if (section.Value is { } text && !CanConvert(text, type))
                errors.Add(new(section.Path, $"'{text}' is not a valid {Describe(type)}"));
            return;
        }
        if (ElementType(type) is { } element)
        {
            foreach (var item in section.GetChildren())
            {
                if (!int.TryParse(item.Key, out _)) errors.Add(new(item.Path, "must be a list, not an object"));
                else CheckValue(item, element, errors);
            }
            if (section.Value is { Length: > 0 } scalar) errors.Add(new(section.Path, $"must be a list, not '{scalar}'"));
            return;
        }
        if (section.Value is { Length: > 0 } value)
        {
            errors.Add(new(section.Path, $"must be an object, not '{value}'"));
            return;
        }
        foreach (var child in section.GetChildren()) CheckProperty(child, type, errors);
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan);

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[0]
        : null;

    private static bool CanConvert(string text, Type type)
    {
        if (type == typeof(string)) return true;
        try { return TypeDescriptor.GetConverter(type).ConvertFromInvariantString(text) is not null; }
        catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException or OverflowException) { return false; }
    }

    private static string Describe(Type type) =>
        type == typeof(int) ? "whole number" : type == typeof(bool) ? "true/false" : type.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(type))}" : type.Name;
}
