using System.Net;
using Pbx.Calls;
using Pbx.Calls.Conferences;
using Pbx.Calls.Media;
using Pbx.Calls.Sip;
using Pbx.Media.Mixing;
using Pbx.Media.Negotiation;
using Pbx.Media.Ports;
using Pbx.Media.Relay;
using Pbx.Server.Configuration;
using Pbx.Server.Sip;
using Pbx.Sip.Registrar;
using Pbx.Telephony.Conferences;
using Pbx.Telephony.Routing;

namespace Pbx.Server.Calls;

/// <summary>Composes the B2BUA: relay ports and codecs from Rtp, timers from Calls, routing over the stored settings.</summary>
internal static class CallServices
{
    public static void Add(IServiceCollection services, PbxOptions options)
    {
        services.AddSingleton<CallEventSink>();
        services.AddSingleton<ICallEvents>(provider => provider.GetRequiredService<CallEventSink>());
        services.AddSingleton<ICallDirectory, CallDirectory>();
        services.AddSingleton<IDeviceAvailability, DeviceAvailability>();
        services.AddSingleton(provider => new RtpPortAllocator(new RtpPortAllocatorOptions
        {
            MinPort = options.Rtp.PortMin,
            MaxPort = options.Rtp.PortMax,
        }));
        services.AddSingleton(provider => new RtpRelaySessionFactory(provider.GetRequiredService<RtpPortAllocator>(),
            new RtpRelayOptions { TimeProvider = provider.GetRequiredService<TimeProvider>() }, provider.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(provider =>
        {
            // One media clock for every server-side stream (music on hold now; prompts and conferences later).
            var ticker = new Pbx.Media.Timing.MediaTicker(provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILoggerFactory>().CreateLogger("Pbx.Media"));
            ticker.Start();
            return ticker;
        });
        services.AddSingleton(provider =>
        {
            // The configured file, else the tune scripts/prompts/generate.sh renders next to the prompts, else the built-in one.
            var generated = Path.Combine(provider.GetRequiredService<PromptLibrary>().Folder, "moh", "default.wav");
            var file = options.Calls.MusicOnHoldFile.Length > 0 ? options.Calls.MusicOnHoldFile : File.Exists(generated) ? generated : null;
            var music = MusicOnHold.Load(file, out var problem);
            if (problem is not null)
                provider.GetRequiredService<ILoggerFactory>().CreateLogger("Pbx.Calls").LogWarning(
                    "Music on hold file {File} is not usable ({Problem}); playing the built-in melody", file, problem);
            return music;
        });
        services.AddSingleton(provider => new Pbx.Calls.Trunks.TrunkService([.. options.Trunks.Select(t => t.ToSettings())],
            provider.GetRequiredService<SipEndpoints>(), provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("Pbx.Trunks")));
        services.AddSingleton(provider => new PromptLibrary(
            options.Calls.PromptsDirectory.Length > 0 ? options.Calls.PromptsDirectory
                : Path.Combine(provider.GetRequiredService<Hosting.DataLocation>().Directory, "prompts"),
            options.Calls.Language));
        services.AddSingleton(provider => Create(provider, options));
        services.AddSingleton(provider => new ConferenceMixer(provider.GetRequiredService<Pbx.Media.Timing.MediaTicker>(), new ConferenceMixerOptions(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("Pbx.Media")));
        services.AddSingleton(provider => provider.GetRequiredService<B2buaService>().Conferences!);
        services.AddSingleton<ILiveConferences>(provider => provider.GetRequiredService<ConferenceService>());
        services.AddSingleton<IConferenceLauncher>(provider => provider.GetRequiredService<ConferenceService>());
        services.AddHostedService<Conferences.ConferenceHostedService>();
    }

    private static B2buaService Create(IServiceProvider provider, PbxOptions options)
    {
        var time = provider.GetRequiredService<TimeProvider>();
        var endpoints = provider.GetRequiredService<SipEndpoints>();
        var settings = provider.GetRequiredService<IRoutingSettings>();
        var availability = provider.GetRequiredService<IDeviceAvailability>();
        var mediaAddress = IPAddress.Parse(options.Rtp.AdvertisedAddress.Length > 0 ? options.Rtp.AdvertisedAddress : endpoints.Host.Trim('[', ']'));
        var calls = new CallsOptions
        {
            RingTimeout = TimeSpan.FromSeconds(options.Calls.RingTimeoutSeconds),
            MediaTimeout = TimeSpan.FromSeconds(options.Calls.MediaTimeoutSeconds),
            MaxDuration = TimeSpan.FromSeconds(options.Calls.MaxDurationSeconds),
            TransferRecall = TimeSpan.FromSeconds(options.Calls.TransferRecallSeconds),
            KeypressConfirmation = TimeSpan.FromSeconds(options.Calls.KeypressConfirmationSeconds),
            CallPullCode = options.Calls.CallPullCode,
            CallThroughNumber = options.Calls.CallThroughNumber,
            ThreeWayCode = options.Calls.ThreeWayCode,
            DigitCollection = TimeSpan.FromSeconds(options.Calls.DigitCollectionSeconds),
            Tones = Pbx.Media.Tones.TonePlan.TryGet(options.Calls.ToneCountry, out var tones) ? tones : Pbx.Media.Tones.TonePlan.Germany,
        };
        var b2bua = new B2buaService(calls, endpoints, provider.GetRequiredService<BindingTable>(),
            provider.GetRequiredService<RtpRelaySessionFactory>(), mediaAddress, CodecPolicyFrom(options.Rtp),
            provider.GetRequiredService<ICallDirectory>(), legs => new RoutingEngine(legs, settings, availability, time),
            provider.GetRequiredService<ICallEvents>(), provider.GetRequiredService<Pbx.Media.Timing.MediaTicker>(),
            provider.GetRequiredService<MusicOnHold>(), provider.GetRequiredService<PromptLibrary>(), time, provider.GetRequiredService<ILoggerFactory>().CreateLogger("Pbx.Calls"))
        {
            Trunks = options.Trunks.Count > 0 ? provider.GetRequiredService<Pbx.Calls.Trunks.TrunkService>() : null,
        };
        // Attached before the SIP transports start, so the first INVITE to a conference number already finds it.
        b2bua.Conferences = new ConferenceService(b2bua, provider.GetRequiredService<ConferenceMixer>(),
            provider.GetRequiredService<IConferenceStore>(), options.Calls.ConferenceAccessNumber,
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("Pbx.Conferences"));
        return b2bua;
    }

    private static CodecPolicy CodecPolicyFrom(RtpOptions rtp)
    {
        var audio = new List<AudioCodec>();
        foreach (var name in rtp.Codecs)
        {
            if (name.Equals("PCMU", StringComparison.OrdinalIgnoreCase)) audio.Add(AudioCodec.Pcmu);
            else if (name.Equals("PCMA", StringComparison.OrdinalIgnoreCase)) audio.Add(AudioCodec.Pcma);
            else if (name.Equals("G722", StringComparison.OrdinalIgnoreCase)) audio.Add(AudioCodec.G722);
        }
        return new CodecPolicy(audio, AllowTelephoneEvent: rtp.Codecs.Contains("telephone-event", StringComparer.OrdinalIgnoreCase));
    }
}
