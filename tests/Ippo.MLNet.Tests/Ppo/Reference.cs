namespace Ippo.MLNet.Tests.Ppo;

/// <summary>
/// An independent plain-double implementation of the PPO formulas (written from the papers and verl's docs, loop by
/// loop), used to cross-check the tensor code on random inputs.
/// </summary>
internal static class Reference
{
    public static (double[,] adv, double[,] ret) Gae(double[,] r, double[,] v, double[,] m, double gamma, double lam)
    {
        int b = r.GetLength(0), t = r.GetLength(1);
        var adv = new double[b, t];
        var ret = new double[b, t];
        for (int i = 0; i < b; i++)
        {
            // Walk only the real tokens, in reverse: masked positions are simply absent from the sequence.
            var idx = Enumerable.Range(0, t).Where(j => m[i, j] > 0).ToArray();
            double next = 0, gae = 0;
            for (int k = idx.Length - 1; k >= 0; k--)
            {
                int j = idx[k];
                double delta = r[i, j] + gamma * next - v[i, j];
                gae = delta + gamma * lam * gae;
                adv[i, j] = gae;
                ret[i, j] = gae + v[i, j];
                next = v[i, j];
            }
        }
        return (adv, ret);
    }

    public static double PolicyLoss(double[,] lp, double[,] old, double[,] a, double[,] m, double lo, double hi, double? dual, double[]? w, out double clipFrac)
    {
        double sum = 0, n = 0, clipped = 0;
        for (int i = 0; i < lp.GetLength(0); i++)
            for (int j = 0; j < lp.GetLength(1); j++)
            {
                if (m[i, j] == 0) continue;
                double ratio = Math.Exp(Math.Clamp(lp[i, j] - old[i, j], -20, 20));
                double l1 = -a[i, j] * ratio, l2 = -a[i, j] * Math.Clamp(ratio, 1 - lo, 1 + hi);
                double l = Math.Max(l1, l2);
                if (l2 > l1) clipped++;
                if (dual is { } c && a[i, j] < 0) l = Math.Min(l, -a[i, j] * c);
                sum += l * (w?[i] ?? 1);
                n++;
            }
        clipFrac = clipped / n;
        return sum / n;
    }

    public static double ValueLoss(double[,] v, double[,] old, double[,] ret, double[,] m, double clip)
    {
        double sum = 0, n = 0;
        for (int i = 0; i < v.GetLength(0); i++)
            for (int j = 0; j < v.GetLength(1); j++)
            {
                if (m[i, j] == 0) continue;
                double vc = Math.Clamp(v[i, j], old[i, j] - clip, old[i, j] + clip);
                sum += Math.Max(Math.Pow(v[i, j] - ret[i, j], 2), Math.Pow(vc - ret[i, j], 2));
                n++;
            }
        return 0.5 * sum / n;
    }

    public static double Kl(double lp, double rf, string kind) => kind switch
    {
        "K1" => lp - rf,
        "K2" => 0.5 * (lp - rf) * (lp - rf),
        "Abs" => Math.Abs(lp - rf),
        _ => Math.Clamp(Math.Exp(Math.Clamp(rf - lp, -20, 20)) - Math.Clamp(rf - lp, -20, 20) - 1, -10, 10),
    };

    public static (double mean, double var) MaskedMoments(double[,] x, double[,] m)
    {
        var xs = new List<double>();
        for (int i = 0; i < x.GetLength(0); i++)
            for (int j = 0; j < x.GetLength(1); j++)
                if (m[i, j] > 0) xs.Add(x[i, j]);
        double mean = xs.Average();
        double var = xs.Sum(v => (v - mean) * (v - mean)) / (xs.Count - 1);
        return (mean, var);
    }
}
