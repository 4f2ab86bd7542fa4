---@meta dubstage
-- dubstage.lua - the mix language for the Lua language server (LuaLS,
-- sumneko): its globals, the handles they return (track, bus, clip,
-- param, inserts, vca, mute_group, markers) and the option tables they
-- take, so an editor completes and checks a mix script. docs/editors.md
-- says how to point VS Code or Neovim at this folder; docs/language.md is
-- the language. Declarations only: nothing here runs.
--
-- Handle classes are named after the probe's handles (editors/probe.lua):
-- tests/render/editors.sh checks that every field and method the engine
-- gives each handle is declared here, and every global of the luacheck
-- standard that stock Lua 5.4 lacks.

---A time: seconds (a number), or a string in any time form: SMPTE timecode
---`"01:00:02:12"` (drop-frame with `;`), `"2.5s"`, `"250ms"`, samples
---`"96000smp"`, 35 mm feet+frames `"90+00"`.
---@alias dubstage.time number|string

---A dB gain: `-math.huge` (or anything at or below -144) is silence; at most +24.
---@alias dubstage.db number

---@alias dubstage.fade_curve "linear"|"equal_power"|"s_curve"|"exponential"
---@alias dubstage.layout "mono"|"stereo"|"LCR"|"5.0"|"5.1"|"7.1"
---@alias dubstage.format "wav16"|"wav24"|"wav32f"|"flac16"|"flac24"|"aiff16"|"aiff24"|"aiff32f"
---@alias dubstage.ramp_shape "linear"|"amplitude"|"equal_power"|"exponential"|"s_curve"

-- ---- session ----------------------------------------------------------------

---@class dubstage.session_options
---@field rate? integer sample rate in Hz, 8000 to 384000 (default 48000)
---@field fps? "23.976"|"24"|"25"|"29.97"|"30"|"48"|"50"|"59.94"|"60" frame rate (default "24")
---@field start? string timecode of the first sample (default "00:00:00:00"); `;` makes a drop-frame session
---@field length? dubstage.time how much to render (default: until the last clip ends)

---Declares the session; before the first track or bus, at most once.
---```lua
---session { rate = 48000, fps = "23.976", start = "01:00:00:00" }
---```
---@param opts dubstage.session_options
function session(opts) end

-- ---- tracks and buses ---------------------------------------------------------

---@class dubstage.strip_options
---@field channels? integer 1 to 64 (a track: the first clip's count; a bus: 2)
---@field layout? dubstage.layout the speakers; sets channels
---@field to? dubstage.strip|dubstage.strip[] the bus or buses it feeds
---@field gain? dubstage.db the fader (default 0)
---@field trim? dubstage.db a trim added to the fader (default 0)
---@field pan? number -1 (left) to 1 (right) (default 0)
---@field pan_fr? number surround: -1 (rear) to 1 (front) (default 1)
---@field pan_spread? number surround: 0 a point source to 1 every speaker (default 0)
---@field pan_center? number surround: 1 uses the centre speaker, 0 a phantom centre (default 1)
---@field pan_lfe? dubstage.db surround: the LFE send (default -math.huge)
---@field pan_width? number surround: a stereo source's width, 0 to 1 (default 1)
---@field mute? boolean
---@field solo? boolean

---@class dubstage.route_options
---@field downmix? "LoRo"|"5.1"|"mono" the fold-down this route makes
---@field centre? dubstage.db fold-down gain of the centre
---@field surround? dubstage.db fold-down gain of the surrounds
---@field lfe? dubstage.db fold-down gain of the LFE
---@field mono? dubstage.db fold-down gain into mono

---@class dubstage.send_options: dubstage.route_options
---@field level? dubstage.db the send's level (default 0)
---@field pre? boolean before the fader (default false: after it)

---@class dubstage.clip_options
---@field [1] string the source file, relative to the script's folder
---@field at dubstage.time where its first sample lands (a position)
---@field from? dubstage.time offset into the source (default 0)
---@field length? dubstage.time how much plays (default: to the end of the source)
---@field gain? dubstage.db clip gain, before the fader (default 0)
---@field fade_in? dubstage.time
---@field fade_out? dubstage.time
---@field curve? dubstage.fade_curve both fades' shape (default "linear")
---@field fade_in_curve? dubstage.fade_curve
---@field fade_out_curve? dubstage.fade_curve
---@field channel? integer play only this channel (1-based) of the file

---@class dubstage.eq_options
---@field [1] "highpass"|"lowpass"|"peak"|"lowshelf"|"highshelf"|"bandpass"|"notch"|"allpass"
---@field freq number Hz, 10 to 40000 and below half the session rate
---@field gain? number dB, -30 to 30 (peak and shelves)
---@field q? number 0.1 to 30
---@field order? integer 1 to 8 (high- and low-pass; 2: the RBJ section with q)

---@class dubstage.dynamics_options
---@field threshold? number dB of detector level
---@field ratio? number compressor 1..inf, expander 1..100
---@field knee? number soft knee in dB
---@field attack? number seconds
---@field release? number seconds
---@field hold? number seconds
---@field makeup? number dB
---@field range? number the most gain reduction, dB
---@field detector? "peak"|"rms"
---@field rms? number the rms detector's time constant, seconds
---@field link? "max"|"mean"|"unlinked"
---@field key? dubstage.strip the strip whose signal drives the detector
---@field key_filter? number[] { low_hz, high_hz } the detector hears the key through

---@class dubstage.limiter_options
---@field ceiling? number dBTP, -60 to 0 (default -1)
---@field lookahead? number seconds, 0.001 to 0.1 (default 0.005)
---@field release? number seconds (default 0.05)

---@class dubstage.transient_options
---@field attack? number dB, -24 to 24
---@field sustain? number dB, -24 to 24

---@class dubstage.saturate_options
---@field clip? number dBFS, -60 to 0 (default -12): the level the output bends towards
---@field mix? number % of the saturated signal, 0 to 100 (default 100)

---@class dubstage.bitcrush_options
---@field bits? number 1 to 24 (default 8; fractions allowed): values round to steps of 2^(1 - bits)
---@field rate? number Hz, 100 to 384000 (default the session's: no rate reduction): held values taken this often

---@class dubstage.delay_options
---@field time dubstage.time 0.0001 to 60 s
---@field feedback? number %, -99 to 99 (default 0)
---@field mix? number % of echo, 0 to 100 (default 100)
---@field lowpass? number Hz in the loop (0: off)
---@field highpass? number Hz in the loop (0: off)
---@field max? dubstage.time the longest time the line holds
---@field glide? number % of real time, 1 to 100 (default 10)
---@field pingpong? boolean stereo strips: repeats alternate sides

---@class dubstage.width_options
---@field width? number 0 (mono) to 2
---@field mid? dubstage.db
---@field side? dubstage.db

---@class dubstage.convolve_options
---@field [1] string the impulse response file
---@field mix? number % of reverb (default 100)
---@field gain? dubstage.db the reverb's gain (default 0)
---@field predelay? number seconds, 0 to 1
---@field normalize? boolean (default true)
---@field partition? integer FFT partition, a power of two 64..16384 (default 1024)

---@class dubstage.reverb_options
---@field rt60? number seconds, 0.1 to 30
---@field damping? number x rt60 at the top, 0.05 to 1 (default 0.5)
---@field damping_freq? number Hz, 500 to 20000 (default 6000)
---@field width? number 0 to 1 (default 1)
---@field mix? number % of reverb (default 100)
---@field size? number the room, 2 to 100 m (default 20)
---@field predelay? number seconds, 0 to 0.5 (default 0.02)

---A track or a bus: what `track "NAME"` and `bus "NAME"` return. Call it
---with a table to set options (`track "D" { to = dx }`).
---@class dubstage.strip
---@field name string
---@field kind "track"|"bus"
---@field channels integer
---@field layout string its layout's word ("plain" for plain channels)
---@field gain dubstage.param the fader (dB); `t.gain = -4` sets its static value
---@field trim dubstage.param a trim layer (dB)
---@field pan dubstage.param -1 (left) to 1 (right)
---@field pan_fr dubstage.param surround: -1 (rear) to 1 (front)
---@field pan_spread dubstage.param surround: 0 to 1
---@field pan_center dubstage.param surround: 0 to 1
---@field pan_lfe dubstage.param surround: the LFE send (dB)
---@field pan_width dubstage.param surround: a stereo source's width, 0 to 1
---@field mute dubstage.param a switch: `t.mute:set { at = ..., to = true }`
---@field solo boolean solo in place
---@operator call(dubstage.strip_options): dubstage.strip
local strip = {}

---@class dubstage.track: dubstage.strip
---@operator call(dubstage.strip_options): dubstage.track

---@class dubstage.bus: dubstage.strip
---@operator call(dubstage.strip_options): dubstage.bus

---Places a clip on the track (a bus holds none).
---@param opts dubstage.clip_options
---@return dubstage.clip
function strip:clip(opts) end

---Feeds the strip into more buses (post-fader, with its pan); a last table
---sets the fold-down of these routes.
---@param ... dubstage.strip|dubstage.route_options
---@return dubstage.strip
function strip:to(...) end

---Sends the strip to another bus at `level` dB (or { level = , pre = }); returns the level, a parameter.
---@param bus dubstage.strip
---@param level? dubstage.db|dubstage.send_options
---@return dubstage.param
function strip:send(bus, level) end

---@param opts dubstage.eq_options
---@return dubstage.eq
function strip:eq(opts) end

---@param opts? dubstage.dynamics_options
---@return dubstage.compressor
function strip:compressor(opts) end

---@param opts? dubstage.dynamics_options
---@return dubstage.expander
function strip:expander(opts) end

---@param opts? dubstage.dynamics_options
---@return dubstage.gate
function strip:gate(opts) end

---@param opts? dubstage.limiter_options
---@return dubstage.limiter
function strip:limiter(opts) end

---@param opts? dubstage.transient_options
---@return dubstage.transient
function strip:transient(opts) end

---@param opts? dubstage.saturate_options
---@return dubstage.saturate
function strip:saturate(opts) end

---@param opts? dubstage.bitcrush_options
---@return dubstage.bitcrush
function strip:bitcrush(opts) end

---@param opts dubstage.delay_options
---@return dubstage.delay
function strip:delay(opts) end

---@param opts? dubstage.width_options
---@return dubstage.width
function strip:width(opts) end

---Mid-side matrix: `t:ms { "encode" }` (L R -> M S) or `{ "decode" }`.
---@param opts { [1]: "encode"|"decode" }
---@return dubstage.ms
function strip:ms(opts) end

---Flips the polarity of the channels listed: `t:polarity { 2 }`.
---@param opts integer[]
---@return dubstage.polarity
function strip:polarity(opts) end

---Routes channels: `t:channel_map { 2, 1 }` swaps a stereo strip's sides.
---@param opts integer[]
---@return dubstage.channel_map
function strip:channel_map(opts) end

---Convolution reverb with an impulse response file.
---@param opts dubstage.convolve_options
---@return dubstage.convolve
function strip:convolve(opts) end

---Algorithmic reverb (docs/reverb.md).
---@param opts? dubstage.reverb_options
---@return dubstage.reverb
function strip:reverb(opts) end

---Makes a track: `track "DIA 1" { channels = 1, to = dx }`.
---@param name string unique among tracks and buses
---@return dubstage.track
function track(name) end

---Makes a bus: `bus "DX" { to = pm }`.
---@param name string unique among tracks and buses
---@return dubstage.bus
function bus(name) end

-- ---- clips, parameters, moves ---------------------------------------------------------

---What `t:clip { ... }` returns; times in seconds.
---@class dubstage.clip
---@field at number where it starts
---@field length number
---@field finish number where it ends: `at + length`
---@field from number offset into the source
---@field file string
---@field channels integer
---@field rate integer the source's sample rate
---@field gain dubstage.param clip gain (dB)

---@class dubstage.move
---@field at dubstage.time when the move starts
---@field to? number|boolean the value it goes to
---@field over? dubstage.time ramp and curve: how long
---@field shape? dubstage.ramp_shape ramp: the shape (default "linear")
---@field from? number ramp: the value it starts from (default: the current value)
---@field tau? dubstage.time target: the time constant
---@field values? number[] curve: the values spread evenly over `over`

---An automatable parameter: a fader, a pan, an insert's setting, a send level.
---@class dubstage.param
---@field value number|boolean its static value
---@field name string its name in `dubstage automation` and the REPL ("DIA 1.gain")
---@field events integer how many moves it has
local param = {}

---Steps to `to` at `at`.
---@param move dubstage.move
---@return dubstage.param
function param:set(move) end

---From the current value to `to`, from `at` over `over`.
---@param move dubstage.move
---@return dubstage.param
function param:ramp(move) end

---Approaches `to` exponentially with time constant `tau`.
---@param move dubstage.move
---@return dubstage.param
function param:target(move) end

---A value curve: `values` spread evenly over `over`.
---@param move dubstage.move
---@return dubstage.param
function param:curve(move) end

---Several moves at once; each entry's keys say its kind.
---@param moves dubstage.move[]
---@return dubstage.param
function param:moves(moves) end

-- ---- inserts -------------------------------------------------------------------------

---@class dubstage.eq
---@field freq dubstage.param Hz
---@field gain dubstage.param dB
---@field q dubstage.param
---@field type string
---@field order integer

---@class dubstage.compressor
---@field threshold dubstage.param dB
---@field ratio dubstage.param
---@field knee dubstage.param dB
---@field makeup dubstage.param dB
---@field range dubstage.param dB
---@field attack dubstage.param s
---@field release dubstage.param s
---@field hold dubstage.param s

---@class dubstage.expander: dubstage.compressor

---@class dubstage.gate
---@field threshold dubstage.param dB
---@field makeup dubstage.param dB
---@field range dubstage.param dB
---@field attack dubstage.param s
---@field release dubstage.param s
---@field hold dubstage.param s

---@class dubstage.limiter
---@field ceiling dubstage.param dBTP
---@field release dubstage.param s

---@class dubstage.transient
---@field attack dubstage.param dB
---@field sustain dubstage.param dB

---@class dubstage.saturate
---@field clip dubstage.param dBFS
---@field mix dubstage.param %

---@class dubstage.bitcrush
---@field bits dubstage.param bits
---@field rate dubstage.param Hz

---@class dubstage.delay
---@field time dubstage.param s (glides)
---@field feedback dubstage.param %
---@field mix dubstage.param %
---@field lowpass dubstage.param Hz
---@field highpass dubstage.param Hz

---@class dubstage.width
---@field width dubstage.param 0 (mono) to 2
---@field mid dubstage.param dB
---@field side dubstage.param dB

---@class dubstage.ms
---@class dubstage.polarity
---@class dubstage.channel_map

---@class dubstage.convolve
---@field mix dubstage.param %
---@field gain dubstage.param dB

---@class dubstage.reverb
---@field rt60 dubstage.param s
---@field damping dubstage.param x rt60
---@field damping_freq dubstage.param Hz
---@field width dubstage.param
---@field mix dubstage.param %

-- ---- groups, cues, trims ---------------------------------------------------------------

---@class dubstage.group_options
---@field members dubstage.strip[]
---@field gain? dubstage.db a VCA's fader
---@field mute? boolean a mute group's state

---@class dubstage.vca
---@field gain dubstage.param dB, added to every member's fader
---@field name string
---@operator call(dubstage.group_options): dubstage.vca

---@class dubstage.mute_group
---@field mute dubstage.param
---@field name string
---@operator call(dubstage.group_options): dubstage.mute_group

---A VCA: `vca "BGS" { members = { amb_a, amb_b }, gain = -3 }`.
---@param name string
---@return dubstage.vca
function vca(name) end

---A mute group: `mute_group "CROWD" { members = { walla }, mute = true }`.
---@param name string
---@return dubstage.mute_group
function mute_group(name) end

---A marker list; call it with a cue's name for its position in seconds.
---@class dubstage.markers
---@field names string[] the cue names, in the file's order
---@operator call(string): number
---@operator len: integer

---Reads an editor's marker list (CSV, Pro Tools text, Avid, EDL).
---@param file string relative to the script's folder
---@return dubstage.markers
function markers(file) end

---An edit read from an edit decision list or an OpenTimelineIO file (docs/conform.md).
---@class dubstage.edit
---@field events dubstage.edit_event[] every event (EDL line, OTIO clip or gap) in file order
---@field title string the EDL's TITLE or the timeline's name
---@field file string the file it was read from
---@field fps string the frame rate its timecodes were read at
---@field kind string "edl" or "otio"
---@operator len: integer

---One event of an edit (a table: change it freely, the edit keeps its own).
---@class dubstage.edit_event
---@field number integer the event number (OTIO: the item's place in its track)
---@field reel string
---@field clip string the clip name ("" when none)
---@field file string the source file ("" when none)
---@field tracks string[] "V", "A1", "A2", ...
---@field rec_in string timecode
---@field rec_out string
---@field src_in string
---@field src_out string
---@field transition string "cut", "dissolve" or "wipe" (into this event)
---@field transition_frames integer
---@field speed number 1 at normal speed
---@field gap boolean black, an OTIO gap or a disabled clip
---@field patch table<string, integer> Avid's PATCH lines: record track ("A2") -> the source channel it takes
---@field untimed boolean an EDL source without timecode ("00:00:00:00 00:00:00:00"): it runs the record's length
---@field layer? integer on the picture: its video track (1 = V1; OTIO: a later track is on top)
---@field where string "cut.edl:12" or "cut.otio: tracks.children[1].children[3]"
---@field track? string for a media function: the edit track being placed ("A1")

---@class dubstage.edit_options
---@field fps? string the frame rate of the edit's timecodes (default: the session's)

---@class dubstage.edl_options: dubstage.edit_options
---@field ignore_timecode_mismatch? boolean an event whose source and record lengths differ (no M2) takes the record's length

---Reads a CMX3600 edit decision list.
---@param file string relative to the script's folder
---@param options? dubstage.edl_options
---@return dubstage.edit
function edl(file, options) end

---Reads an OpenTimelineIO timeline (.otio).
---@param file string relative to the script's folder
---@param options? dubstage.edit_options
---@return dubstage.edit
function otio(file, options) end

---@class dubstage.spot_options
---@field tracks table<string, dubstage.strip> the edit's audio tracks ("A1") to the mix's tracks
---@field media? table<string, string|table|false>|fun(event: dubstage.edit_event): string|table|false|nil by clip name, source file, its base name or reel
---@field curve? dubstage.fade_curve the crossfade of dissolves and wipes (default "equal_power")

---Places an edit's audio events as clips on the named tracks; returns them in event order.
---@param edit dubstage.edit
---@param options dubstage.spot_options
---@return dubstage.clip[]
function spot(edit, options) end

---@class dubstage.conform_options
---@field from dubstage.edit the cut the mix was made against
---@field to dubstage.edit the new cut
---@field track? string the track the cuts are compared on: "V" (the picture seen: the top layer), "V1".."V8" (one picture layer) or "A1".."A16" (default: V, or the first audio track both cuts have)

---Moves everything the script placed from the old cut onto the new one, once the script has run
---(clips split at changes, moves, the session length; docs/conform.md). `dubstage conform` reports it.
---@param options dubstage.conform_options
function conform(options) end

---Applies a trims file (written by the REPL's save()).
---@param file string relative to the script's folder
function trims(file) end

-- ---- ducking, outputs, deliverables --------------------------------------------------

---@class dubstage.duck_options
---@field [1] dubstage.strip the strip that dips
---@field under dubstage.strip the key: the strip carrying the lines
---@field depth? number dB, -60 to -0.1 (default -9)
---@field threshold? number dBFS RMS (default -45)
---@field attack? number seconds
---@field release? number seconds
---@field hold? number seconds
---@field preroll? number seconds
---@field bridge? number seconds
---@field band? number[] { low_hz, high_hz }: only that band dips
---@field lookahead? number seconds: run in the graph with this latency

---Makes the target dip while the key carries a line.
---@param opts dubstage.duck_options
function duck(opts) end

---@class dubstage.normalize_options
---@field integrated number LUFS, -50 to -5
---@field true_peak? number dBTP, -30 to 0 (default -1)
---@field stems? boolean the outputs upstream take its gain (default true)

---@class dubstage.output_options: dubstage.route_options
---@field [1] string the file, relative to the script's folder
---@field from dubstage.strip the bus or track to record
---@field format? dubstage.format (default "wav24")
---@field dither? "auto"|"tpdf"|"none"
---@field normalize? dubstage.normalize_options|false

---Declares an output file, written in the same pass as every other.
---@param opts dubstage.output_options
function output(opts) end

---@class dubstage.spec_limit
---@field target? number
---@field tolerance? number
---@field min? number
---@field max? number
---@field note? string

---@class dubstage.spec
---@field name? string
---@field title? string
---@field note? string
---@field integrated? dubstage.spec_limit LUFS
---@field dialogue? dubstage.spec_limit LUFS, on the dialogue stem
---@field true_peak? dubstage.spec_limit dBTP
---@field loudness_range? dubstage.spec_limit LU
---@field max_momentary? dubstage.spec_limit LUFS
---@field max_short_term? dubstage.spec_limit LUFS

---@class dubstage.deliver_options: dubstage.output_options
---@field [1] string|dubstage.strip a file name (then every output option) or a strip
---@field spec string|dubstage.spec a spec's name from dubstage.specs, or a table
---@field dialogue? dubstage.strip the dialogue stem a dialogue-anchored spec measures

---Declares a deliverable and the spec it is judged against after every render.
---@param opts dubstage.deliver_options
function deliver(opts) end

-- ---- checks for recipes -------------------------------------------------------------

---Raises the core's message when `opts` has a key not in `names`.
---@param opts table|nil
---@param names string[]
---@param what string names the caller in the message
---@param level? integer as error's: 2 names the line that called your function
---@param positional? integer integer keys 1..positional are allowed (default 0)
function check_options(opts, names, what, level, positional) end

---The index of `word` in `names`; otherwise raises with the closest name.
---@param word string
---@param names string[]
---@param what string
---@param kind string
---@param level? integer
---@return integer
function check_word(word, names, what, kind, level) end

---The name closest to `word`, or nil.
---@param word string
---@param names string[]
---@return string|nil
function did_you_mean(word, names) end

---The session's time arithmetic, in samples and frames as the engine counts them
---(docs/language.md "Time arithmetic"). Frames count from 00:00:00:00, as labels do.
---@class dubstage.timebase
timebase = {}
---A position (seconds, or any time string) in samples from the session start.
---@param t number|string
---@return integer
function timebase.samples(t) end
---A duration (seconds, or any time string) in samples.
---@param t number|string
---@return integer
function timebase.duration(t) end
---The frame that holds position t.
---@param t number|string
---@return integer
function timebase.frame(t) end
---The position (samples from the session start) of frame f's first sample.
---@param f integer
---@return integer
function timebase.frame_start(f) end
---Frame f's label, "HH:MM:SS:FF" (";FF" in a drop-frame session).
---@param f integer
---@return string
function timebase.label(f) end
---@return { rate: integer, fps: string, drop: boolean, start: string, start_frame: integer }
function timebase.info() end

-- ---- the sandbox's io and os -----------------------------------------------------

---io in a mix script: files under the script's folder and the output folder only.
---@class dubstage.iolib
io = {}

---@param name string
---@param mode? "r"|"w"|"a"|"r+"|"w+"|"a+"|"rb"|"wb"|"ab"
---@return file*?
---@return string? err
function io.open(name, mode) end

---@param name string
---@param ... string|integer formats
---@return fun(): any
function io.lines(name, ...) end

---Writes to standard output.
---@param ... string|number
function io.write(...) end

---os in a mix script: time only.
---@class dubstage.oslib
os = {}

---@return number
function os.clock() end

---@param t? table
---@return integer
function os.time(t) end

---@param format? string
---@param time? integer
---@return string|osdate
function os.date(format, time) end

---@param t2 integer
---@param t1 integer
---@return number
function os.difftime(t2, t1) end
