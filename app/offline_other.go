//go:build !wasm

package main

import "errors"

// fetchOfflineList, saveOffline, newerWorker, onWorkerChange and
// reloadWhenActive only run in the browser (see offline_wasm.go).
func fetchOfflineList() (offlineList, error) {
	return offlineList{}, errors.New("fetchOfflineList runs only in the browser")
}

func saveOffline(list offlineList, progress func(done int64)) error {
	return errors.New("saveOffline runs only in the browser")
}

func newerWorker() bool { return false }

func onWorkerChange(f func()) (stop func()) { return func() {} }

func reloadWhenActive() {}
