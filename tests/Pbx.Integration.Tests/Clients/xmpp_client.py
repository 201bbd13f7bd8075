#!/usr/bin/python3
"""A real XMPP client (slixmpp) for the daemon's integration tests.

Each call logs in once, does one thing, prints what it observed as `key: value` lines and exits:
  0 done, 2 authentication failed, 3 expectation not met in time, 4 connection failed.
Commands:
  roster                 print the roster's JIDs
  send TO BODY           send one chat message
  receive COUNT SECONDS  wait for COUNT chat messages (prints each body)
  presence WHO SECONDS   wait until WHO is available and print their show/status
  telephony WHO STATE SECONDS
                         wait until WHO's phone (resource "phone", urn:pbx:telephony:0) reports STATE,
                         printing every telephony presence seen; STATE "unavailable" also matches type=unavailable
"""
import argparse
import asyncio
import logging
import ssl
import sys

import slixmpp


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password, args):
        super().__init__(jid, password)
        self.args = args
        self.exit_code = 3
        self.received = []
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE  # the test daemon's certificate is self-signed
        self.register_plugin('xep_0030')
        self.register_plugin('xep_0199')
        self.add_event_handler('session_start', self.on_start)
        self.add_event_handler('failed_auth', self.on_failed_auth)
        self.add_event_handler('connection_failed', self.on_connection_failed)
        self.add_event_handler('message', self.on_message)
        self.add_event_handler('presence', self.on_presence)

    async def on_start(self, _):
        self.send_presence(pshow=self.args.show, pstatus=self.args.status)
        roster = await self.get_roster()
        command = self.args.command
        if command == 'roster':
            # The server's answer, not slixmpp's local roster, which always lists the user's own JID too.
            items = roster['roster']['items']
            for jid in sorted(items, key=str):
                print(f"roster: {jid} name={items[jid]['name']} subscription={items[jid]['subscription']}")
            self.finish(0)
        elif command == 'send':
            self.send_message(mto=self.args.rest[0], mbody=self.args.rest[1], mtype='chat')
            print(f"sent: {self.args.rest[1]}")
            await asyncio.sleep(0.5)  # let the stanza leave before the stream closes
            self.finish(0)
        elif command == 'receive':
            asyncio.get_event_loop().call_later(float(self.args.rest[1]), self.finish, 3)
            print('ready: receiving', flush=True)
        elif command == 'telephony':
            asyncio.get_event_loop().call_later(float(self.args.rest[2]), self.finish, 3)
            print('ready: watching telephony', flush=True)
        elif command == 'presence':
            who = self.args.rest[0]
            deadline = asyncio.get_event_loop().time() + float(self.args.rest[1])
            while asyncio.get_event_loop().time() < deadline:
                for resource, presence in self.client_roster.presence(who).items():
                    print(f"presence: {who}/{resource} show={presence['show'] or 'available'} status={presence['status']}")
                    self.finish(0)
                    return
                await asyncio.sleep(0.1)
            self.finish(3)

    def on_presence(self, presence):
        if self.args.command != 'telephony' or presence['from'].bare != self.args.rest[0] or presence['from'].resource != 'phone':
            return
        element = presence.xml.find('{urn:pbx:telephony:0}telephony')
        state = 'unavailable' if presence['type'] == 'unavailable' else (element.get('state') if element is not None else 'none')
        print(f"telephony: {presence['from']} state={state} show={presence['show'] or 'available'} status={presence['status']}", flush=True)
        if state == self.args.rest[1]:
            self.finish(0)

    def on_message(self, msg):
        if msg['type'] in ('chat', 'normal') and msg['body']:
            self.received.append(msg['body'])
            print(f"received: from={msg['from'].bare} body={msg['body']}", flush=True)
            if self.args.command == 'receive' and len(self.received) >= int(self.args.rest[0]):
                self.finish(0)

    def on_failed_auth(self, _):
        print('auth: failed')
        self.finish(2)

    def on_connection_failed(self, reason):
        print(f'connection: failed {reason}')
        self.finish(4)

    def finish(self, code):
        if self.exit_code == 3 or code != 3:
            self.exit_code = code
        self.disconnect()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--jid', required=True)
    parser.add_argument('--password', required=True)
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--show', default=None)
    parser.add_argument('--status', default=None)
    parser.add_argument('--timeout', type=float, default=30)
    parser.add_argument('command')
    parser.add_argument('rest', nargs='*')
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    client = Client(args.jid, args.password, args)
    client.connect(address=('127.0.0.1', args.port))
    loop = asyncio.get_event_loop()
    loop.call_later(args.timeout, client.finish, 3)
    loop.run_until_complete(client.disconnected)
    sys.exit(client.exit_code)


if __name__ == '__main__':
    main()
