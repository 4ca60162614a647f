# Schätzung des Rauschens
import numpy as np
