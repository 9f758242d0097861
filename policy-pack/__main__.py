"""The abuse-guard CrossGuard pack: `pulumi preview --policy-pack policy-pack` (vendored or a git submodule)."""

from abuse_guard.pack import serve_pack

serve_pack()
