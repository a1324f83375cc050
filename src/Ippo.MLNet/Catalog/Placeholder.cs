namespace Ippo.MLNet; /// <summary>Placeholder.</summary>
public static class IppoCatalogPlaceholder { }
