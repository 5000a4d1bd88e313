// Process exit codes of icmptrace; documented in --help (see options.cpp).
#pragma once

namespace icmptrace {

enum ExitCode : int {
	kExitOk = 0,
	kExitRuntime = 1,	// any other runtime error
	kExitUsage = 2,		// wrong flag or argument
	kExitNoDevice = 3,	// /dev/icmptrace missing: module not loaded
	kExitPermission = 4,	// EACCES/EPERM: needs root
	kExitBusy = 5,		// EBUSY: another reader holds the device
	kExitAbi = 6,		// ABI mismatch or nonsensical device info
};

} // namespace icmptrace
