using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ippo.MLNet;

/// <summary>Column checks with errors that name the column, the option and the expected type.</summary>
internal static class SchemaChecks
{
    public static void RequireText(SchemaShape input, string column, string option)
    {
        var matches = input.Where(c => c.Name == column).ToList();
        if (matches.Count == 0) throw Missing(column, option, input.Select(c => c.Name));
        var found = matches[^1];
        if (found.Kind != SchemaShape.Column.VectorKind.Scalar || found.ItemType is not TextDataViewType)
            throw WrongType(column, option, (found.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : found.Kind + " of ") + found.ItemType);
    }

    public static void RequireText(DataViewSchema schema, string column, string option)
    {
        var found = schema.GetColumnOrNull(column) ?? throw Missing(column, option, schema.Select(c => c.Name));
        if (found.Type is not TextDataViewType) throw WrongType(column, option, found.Type.ToString() ?? found.Type.GetType().Name);
    }

    private static ArgumentException Missing(string column, string option, IEnumerable<string> names) =>
        new($"The input has no column '{column}' (set by {option}); its columns are: {string.Join(", ", names.Select(n => $"'{n}'"))}.", option);

    private static ArgumentException WrongType(string column, string option, string actual) =>
        new($"Column '{column}' (set by {option}) must be a scalar String (text) column; it is {actual}.", option);

    /// <summary>Reads a text column, rejecting nulls with the row number.</summary>
    public static List<string> ReadText(IDataView data, string column, string option, bool allowEmpty = false)
    {
        RequireText(data.Schema, column, option);
        var values = new List<string>();
        int row = 0;
        foreach (var value in data.GetColumn<string>(column))
        {
            if (value is null) throw new ArgumentException($"Row {row} of column '{column}' (set by {option}) is missing (null).", option);
            if (!allowEmpty && value.Length == 0) throw new ArgumentException($"Row {row} of column '{column}' (set by {option}) is empty or missing (ML.NET reads a null string as empty).", option);
            values.Add(value);
            row++;
        }
        return values;
    }

    /// <summary>Reads a scalar Single (float) column, rejecting NaN and infinities with the row number.</summary>
    public static List<float> ReadSingle(IDataView data, string column, string option)
    {
        var found = data.Schema.GetColumnOrNull(column) ?? throw Missing(column, option, data.Schema.Select(c => c.Name));
        if (found.Type != NumberDataViewType.Single)
            throw new ArgumentException($"Column '{column}' (set by {option}) must be a scalar Single (float) column; it is {found.Type}.", option);
        var values = new List<float>();
        int row = 0;
        foreach (var value in data.GetColumn<float>(column))
        {
            if (!float.IsFinite(value)) throw new ArgumentException($"Row {row} of column '{column}' (set by {option}) is {value}; it must be finite.", option);
            values.Add(value);
            row++;
        }
        return values;
    }
}
