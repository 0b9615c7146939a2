"""The commands of ``sandbox`` (the group itself is :mod:`sandbox.cli`), one module per
concern: :mod:`~sandbox.commands.world` seeds and exports, :mod:`~sandbox.commands.server`
serves, :mod:`~sandbox.commands.control` does what the ``/sandbox`` control plane does."""
