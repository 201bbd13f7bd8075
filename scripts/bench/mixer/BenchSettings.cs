using System.Globalization;

namespace Pbx.Bench.Mixer;

/// <param name="Sockets">Socket-inclusive mode (relay legs on loopback, simulated phones) instead of in-memory ports.</param>
/// <param name="RoomSize">Participants per room in socket mode.</param>
/// <param name="Levels">Participant counts tried in socket mode, in order, until one is not served cleanly.</param>
/// <param name="PhoneThreads">Threads simulating the phones in socket mode.</param>
internal sealed record BenchSettings(int[] RoomSizes, int Seconds, int WidebandPercent, bool Sockets, int RoomSize, int[] Levels, int PhoneThreads)
{
    public const string Usage =
        "usage: dotnet run -c Release -- [--rooms 3,10,50] [--seconds S=3] [--wideband-percent P=0]\n"
        + "       dotnet run -c Release -- --sockets [--room-size 10] [--levels 100,250,500,750,1000,1500,2000] [--seconds S=3] [--phone-threads 2]";

    public static BenchSettings? Parse(string[] args)
    {
        int[] rooms = [3, 10, 50];
        int[] levels = [100, 250, 500, 750, 1000, 1500, 2000];
        int seconds = 3, wideband = 0, roomSize = 10, phoneThreads = 2;
        var sockets = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--sockets")
            {
                sockets = true;
                continue;
            }
            if (i + 1 >= args.Length) return null;
            var value = args[++i];
            var ok = args[i - 1] switch
            {
                "--rooms" => TryParseList(value, 2, 500, out rooms),
                "--levels" => TryParseList(value, 2, 100_000, out levels),
                "--seconds" => TryParse(value, 1, 60, out seconds),
                "--wideband-percent" => TryParse(value, 0, 100, out wideband),
                "--room-size" => TryParse(value, 2, 500, out roomSize),
                "--phone-threads" => TryParse(value, 1, 16, out phoneThreads),
                _ => false,
            };
            if (!ok) return null;
        }
        return new BenchSettings(rooms, seconds, wideband, sockets, roomSize, levels, phoneThreads);
    }

    private static bool TryParse(string text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    private static bool TryParseList(string text, int min, int max, out int[] values)
    {
        var parts = text.Split(',');
        values = new int[parts.Length];
        for (var p = 0; p < parts.Length; p++)
        {
            if (!TryParse(parts[p], min, max, out values[p])) return false;
        }
        return true;
    }
}
