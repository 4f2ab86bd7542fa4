/* surround_params.c - the surround panner's settings (surround_params.h). */
#include "vm/surround_params.h"

#include "vm/lane.h"

const vm_surround_param_spec vm_surround_params[VM_SURROUND_NPARAMS] = {
    [VM_SURROUND_FR] = {"pan_fr", -1, 1, 1, 0, "-1 = rear to 1 = front", "-1 rear .. 1 front"},
    [VM_SURROUND_SPREAD] = {"pan_spread", 0, 1, 0, 0, "0 = point source to 1 = even over the speakers",
                            "0 point .. 1 even"},
    [VM_SURROUND_CENTER] = {"pan_center", 0, 1, 1, 0, "0 = phantom centre to 1 = centre speaker",
                            "0 phantom .. 1 centre speaker"},
    [VM_SURROUND_LFE] = {"pan_lfe", VM_LANE_DB_SILENCE, 24, VM_LANE_DB_SILENCE, 1, "-math.huge to +24 dB", "dB"},
    [VM_SURROUND_WIDTH] = {"pan_width", 0, 1, 1, 0, "0 = both sides at pan to 1 = each side 1 from it",
                           "0 .. 1 (stereo sources)"},
};
