import Foundation
import MPIKit
import Sweep
import TPEngine

/// Rank 0 under MPI: hands trials to whichever worker asks (a dynamic queue, so faster ranks do
/// more), answers their epoch reports with the scheduler's decisions, and hands their outcomes to the
/// store's writer thread (it never waits for the disk).
/// Waiting is MPIKit's backed-off receive, so the coordinator does not burn the core a worker needs.
func coordinate(_ session: SweepSession, world: MPIWorld) throws {
    var idle: [Int] = []
    var active = world.size - 1
    var buffer = WireWriter()
    func dispatch() throws {
        while let rank = idle.first, let assignment = session.nextAssignment(for: rank) {
            idle.removeFirst()
            Wire.encode(assignment, into: &buffer)
            try world.send(buffer.bytes, to: rank, tag: WireTag.assign.rawValue)
        }
        // Idle workers wait while trials still run: a failed one may come back for a retry.
        if session.ledger.isFinished || (session.failed && session.ledger.running.isEmpty) {
            for rank in idle { try world.send([], to: rank, tag: WireTag.shutdown.rawValue) }
            active -= idle.count
            idle.removeAll()
        }
    }
    try session.run {
        while active > 0 {
            let message = try world.receive()
            switch WireTag(rawValue: message.tag) {
            case .ready:
                idle.append(message.source)
            case .epoch:
                let m = try Wire.decodeEpoch(message.payload)
                let decision = session.decide(trialID: m.trialID, report: m.report)
                guard session.schedulerCanStop else { break }
                let reply: DecisionMessage
                if case .prune(let reason) = decision { reply = DecisionMessage(stop: true, reason: reason) }
                else { reply = DecisionMessage(stop: false, reason: "") }
                Wire.encode(reply, into: &buffer)
                try world.send(buffer.bytes, to: message.source, tag: WireTag.decision.rawValue)
            case .outcome:
                let m = try Wire.decodeOutcome(message.payload)
                try session.finish(trialID: m.trialID, attempt: m.attempt, outcome: m.outcome)
                idle.append(message.source)
            default:
                session.status.log("ignoring a message with tag \(message.tag) from rank \(message.source)")
            }
            try session.checkStore()
            try dispatch()
        }
    }
}

/// A worker rank: asks for a trial, trains it, reports every epoch (waiting for the decision if
/// the scheduler may stop it), sends the outcome, which also asks for the next trial, until told
/// to stop.
func work(world: MPIWorld) throws {
    try world.send([], to: 0, tag: WireTag.ready.rawValue)
    var buffer = WireWriter()
    while true {
        let message = try world.receive(from: 0)
        guard message.tag == WireTag.assign.rawValue else { return }
        let assignment = try Wire.decodeAssignment(message.payload)
        let id = assignment.trial.id
        var transportError: Error?
        let outcome = runTrial(assignment.trial, policy: assignment.snapshots, rank: world.rank,
                               host: world.processorName) { report in
            do {
                Wire.encode(EpochMessage(trialID: id, report: report), into: &buffer)
                try world.send(buffer.bytes, to: 0, tag: WireTag.epoch.rawValue)
                guard assignment.awaitsDecisions else { return .proceed }
                let reply = try Wire.decodeDecision(world.receive(from: 0, tag: WireTag.decision.rawValue).payload)
                return reply.stop ? .prune(reason: reply.reason) : .proceed
            } catch {
                transportError = error
                return .prune(reason: "lost contact with rank 0: \(error)")
            }
        }
        if let transportError { throw transportError }
        Wire.encode(OutcomeMessage(trialID: id, attempt: assignment.attempt, outcome: outcome), into: &buffer)
        try world.send(buffer.bytes, to: 0, tag: WireTag.outcome.rawValue)
    }
}

/// `-np 1`: the same session, trials run one after another in this process.
func runSerially(_ session: SweepSession) throws {
    let host = ProcessInfo.processInfo.hostName
    try session.run {
        while let assignment = session.nextAssignment(for: 0) {
            let outcome = runTrial(assignment.trial, policy: assignment.snapshots, rank: 0, host: host) { report in
                session.decide(trialID: assignment.trial.id, report: report)
            }
            try session.finish(trialID: assignment.trial.id, attempt: assignment.attempt, outcome: outcome)
            try session.checkStore()
        }
    }
}
