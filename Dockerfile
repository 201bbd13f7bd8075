# Pbx.Server container: multi-stage build on the .NET 10 SDK, runs as a non-root user on the ASP.NET runtime.
#   docker build -t pbx-server .
#   docker run -d -p 5060:5060/udp -p 5060:5060 -p 5061:5061 -p 5222:5222 -p 10000-10100:10000-10100/udp \
#     -e PBX__Rtp__PortMax=10100 -v pbx-data:/var/lib/pbx pbx-server
# The admin API listens on 127.0.0.1 inside the container; use 'docker exec ... pbxctl' or set PBX__Admin__Address.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props Pbx.Server.sln ./
COPY config/ config/
COPY src/ src/
RUN dotnet publish src/Pbx.Server -c Release -o /out/server -nologo \
 && dotnet publish src/Pbx.Cli -c Release -o /out/cli -nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN groupadd --system pbx && useradd --system --gid pbx --home-dir /var/lib/pbx --shell /usr/sbin/nologin pbx \
 && install -d -o pbx -g pbx -m 0750 /var/lib/pbx
COPY --from=build /out/server /opt/pbx/server
COPY --from=build /out/cli /opt/pbx/cli
RUN ln -s /opt/pbx/cli/pbxctl /usr/local/bin/pbxctl
ENV PBX__Storage__DataDirectory=/var/lib/pbx \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
USER pbx
WORKDIR /var/lib/pbx
VOLUME ["/var/lib/pbx"]
# SIP udp/tcp, SIP over TLS, XMPP client, RTP range (narrow it with PBX__Rtp__PortMin/PortMax to what you publish).
EXPOSE 5060/udp 5060/tcp 5061/tcp 5222/tcp 10000-20000/udp
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8088 && printf 'GET /health/ready HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q Healthy <&3"]
ENTRYPOINT ["/opt/pbx/server/Pbx.Server"]
