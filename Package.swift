// swift-tools-version:6.0
import PackageDescription

// Layers, top to bottom (arrows only point down):
//   tpsweep (CLI) → TPEngine (data, networks, learning rules, trainer) → TPConfig (run config)
//                 → Tensor (matrices over CBLAS, vector kernels, seeded RNG) → COpenBLAS, CZlib
// The engine never imports MPI or HDF5; those arrive with the coordinator and the store.
let package = Package(
    name: "tpsweep",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tpsweep", targets: ["tpsweep"]),
        .library(name: "TPEngine", targets: ["TPEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        // Thin Swift layer over MPI: byte messages between ranks, waits that do not burn a core.
        .target(name: "MPIKit", dependencies: ["CMPI"]),
        // Exercises MPIKit under mpirun (pingpong, idle, sizes); prints key=value lines.
        .executableTarget(name: "mpi-selftest", dependencies: ["MPIKit"]),
        // HDF5 (serial) with C wrappers for the macros Swift cannot see; HDF5Kit is a thin h5py-like
        // layer over it, Store the sweep's file layout on top of HDF5Kit.
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .target(name: "HDF5Kit", dependencies: ["CHDF5"]),
        .target(name: "Store", dependencies: ["HDF5Kit"]),
        // Writes a small deterministic store for tests/python (no CLI needed).
        .executableTarget(name: "store-fixture", dependencies: ["Store"]),
        .target(name: "Tensor", dependencies: [
            "COpenBLAS",
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        // The run configuration: every hyperparameter of one run, with YAML and override parsing.
        // Its own module so that sweep logic can build run configs without the engine's maths.
        .target(name: "TPConfig", dependencies: [.product(name: "Yams", package: "Yams")]),
        // Sweep specs, samplers, trial ids and schedulers (FIFO, ASHA): pure Swift, sees run configs
        // and reported metrics only, never the engine's maths.
        .target(name: "Sweep", dependencies: ["TPConfig", .product(name: "Yams", package: "Yams")]),
        .target(name: "TPEngine", dependencies: [
            "Tensor", "TPConfig", "CZlib",
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        // Rank 0's loop and the workers' over MPI, the serial loop, progress: wires the engine,
        // the sweep logic and the store together, and knows none of their insides.
        .target(name: "Coordinator", dependencies: ["TPEngine", "Sweep", "Store", "MPIKit"]),
        .executableTarget(name: "tpsweep", dependencies: [
            "TPEngine", "Coordinator", "Sweep", "Store", "HDF5Kit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "TPConfigTests", dependencies: ["TPConfig"]),
        // MalformedSpecs/ is read in place (via #filePath), so messages name the source files.
        .testTarget(name: "SweepTests", dependencies: ["Sweep", "TPConfig"], exclude: ["MalformedSpecs"]),
        .testTarget(name: "TPEngineTests", dependencies: ["TPEngine"]),
        // Runs the built `tpsweep` binary as a user would: exit codes and messages.
        .testTarget(name: "CLITests", dependencies: ["tpsweep"]),
        // Runs `mpi-selftest` under real mpirun (and once without it, as a singleton).
        .testTarget(name: "MPIKitTests", dependencies: ["MPIKit", "mpi-selftest"]),
        .testTarget(name: "CoordinatorTests", dependencies: ["Coordinator", "Sweep", "TPConfig"]),
        .testTarget(name: "HDF5KitTests", dependencies: ["HDF5Kit"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "HDF5Kit"]),
    ]
)
