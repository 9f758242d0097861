import sys

from . import gc_settings
from .cli import main

gc_settings.apply()
sys.exit(main())
